namespace Factory.Edge.Sending;

/// <summary>
/// How many events go into the next request. A batch refused as a whole (<see cref="DeliveryKind.Unacceptable"/>) is
/// halved until the culprit is alone, which is then dropped; after that, batches are full-sized again. So one bad or
/// oversized event costs log₂(batch size) extra requests and never stalls the queue.
/// </summary>
internal sealed class BatchSizePolicy(int maxSize)
{
    private readonly int _max = maxSize;
    private int _size = maxSize;

    public int Size => Volatile.Read(ref _size);

    /// <summary>Halves after a refused batch of <paramref name="count"/>; false when it was a single event, which must be dropped.</summary>
    public bool TrySplit(int count)
    {
        if (count <= 1)
        {
            return false;
        }

        Volatile.Write(ref _size, Math.Max(1, count / 2));
        return true;
    }

    /// <summary>Back to full batches (the culprit is gone).</summary>
    public void Reset() => Volatile.Write(ref _size, _max);
}
