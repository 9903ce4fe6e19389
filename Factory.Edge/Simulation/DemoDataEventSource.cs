using Factory.Core.Events;
using Factory.Core.Registry;
using Factory.Core.Seeding;
using Factory.Edge.Events;

namespace Factory.Edge.Simulation;

/// <summary>
/// The shared demo-data generator as live cameras: shift patterns and breaks, a model upgrade, a camera
/// whose confidence drifts and the occasional late event, each released when a camera would send it.
/// It continues the history a 24-hour seed made at <c>start</c> would contain, as the server's own simulator does.
/// </summary>
public sealed class DemoDataEventSource : IEventSource, IDisposable
{
    private readonly IEnumerator<GeneratedEvent> _stream;
    private GeneratedEvent? _next;
    private bool _exhausted;

    public DemoDataEventSource(DateTimeOffset start, int seed)
    {
        var from = start.UtcDateTime;
        var scenario = DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, seed, TimeZoneInfo.Utc, from - TimeSpan.FromHours(24), from);
        _stream = new DemoDataGenerator(scenario).GenerateByEmission(from, DateTime.MaxValue).GetEnumerator();
    }

    public IReadOnlyList<EdgeEvent> Poll(DateTimeOffset now)
    {
        var due = new List<EdgeEvent>();
        var utc = now.UtcDateTime;
        while (!_exhausted)
        {
            if (_next is null)
            {
                if (!_stream.MoveNext())
                {
                    _exhausted = true;
                    break;
                }

                _next = _stream.Current;
            }

            if (_next.EmitAt > utc)
            {
                break;
            }

            var e = _next.Event;
            due.Add(new EdgeEvent(
                new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc)), e.WorkerId, e.WorkstationId, e.EventType.ToWire(),
                e.Confidence, e.Count, e.CameraId, e.ModelVersion, e.EventId));
            _next = null;
        }

        return due;
    }

    public void Dispose() => _stream.Dispose();
}
