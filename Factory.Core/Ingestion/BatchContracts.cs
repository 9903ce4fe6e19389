namespace Factory.Core.Ingestion;

/// <summary>
/// The answer to a well-formed batch, whatever became of its items: what <c>POST /api/events/batch</c> returns,
/// what the edge client reads, and what a rejects report on MQTT lists. One type, so the three never drift.
/// </summary>
public sealed record BatchResponse(int Accepted, int Duplicates, IReadOnlyList<BatchRejection> Rejected, IReadOnlyList<BatchItemResult>? Results = null)
{
    /// <summary>The answer for an ingested batch, items in request order.</summary>
    public static BatchResponse From(BatchIngestResult result)
    {
        var results = new BatchItemResult[result.Outcomes.Length];
        for (var i = 0; i < results.Length; i++)
        {
            var o = result.Outcomes[i];
            results[i] = new BatchItemResult(result.Indexes[i], o.Id, o.Duplicate ? BatchItemStatus.Duplicate : BatchItemStatus.Accepted);
        }

        return new BatchResponse(result.Accepted, result.Duplicates, result.Rejected, results);
    }
}

/// <summary>An item of a batch that was not stored, with every error by field.</summary>
public sealed record BatchRejection(int Index, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>The fate of each valid item: its index in the request, stored id and whether it was a duplicate.</summary>
public sealed record BatchItemResult(int Index, long Id, string Status);

/// <summary>Values of <see cref="BatchItemResult.Status"/>.</summary>
public static class BatchItemStatus
{
    /// <summary>Stored now.</summary>
    public const string Accepted = "accepted";

    /// <summary>Already stored (the first write wins); as good as accepted for the sender.</summary>
    public const string Duplicate = "duplicate";
}
