namespace Factory.Edge.Sending;

/// <summary>What the sender has done so far, counted for the status line; safe to read while it runs.</summary>
internal sealed class SenderCounters
{
    private long _requests;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private long _retries;
    private long _probes;

    public long Requests => Interlocked.Read(ref _requests);
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Retries => Interlocked.Read(ref _retries);
    public long Probes => Interlocked.Read(ref _probes);

    public void Request() => Interlocked.Increment(ref _requests);

    public void Retry() => Interlocked.Increment(ref _retries);

    public void Probe() => Interlocked.Increment(ref _probes);

    public void Settled(ItemFate fate)
    {
        switch (fate)
        {
            case ItemFate.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case ItemFate.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            default:
                Interlocked.Increment(ref _rejected);
                break;
        }
    }
}
