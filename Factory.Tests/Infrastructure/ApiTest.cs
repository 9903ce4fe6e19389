namespace Factory.Tests.Infrastructure;

/// <summary>
/// Base of the API test classes: xUnit makes one instance per test, so each test gets a fresh <see cref="FactoryApp"/>
/// (its own database and fake clock) and a client with the admin key, both disposed after the test.
/// </summary>
public abstract class ApiTest : IAsyncLifetime
{
    private HttpClient? _adminClient;

    /// <param name="settings">Configuration for this class's host (see <see cref="FactoryApp"/>).</param>
    /// <param name="withKeys">False: no API keys are configured.</param>
    /// <param name="shiftCalendars">True: the stored shift calendar is used (off by default, so figures are the plain rules).</param>
    protected ApiTest(IDictionary<string, string?>? settings = null, bool withKeys = true, bool shiftCalendars = false)
        : this(new FactoryApp(settings, withKeys, shiftCalendars))
    {
    }

    /// <summary>For a class whose host is a <see cref="FactoryApp"/> subclass (extra services, log sinks).</summary>
    protected ApiTest(FactoryApp app) => _app = app;

    // The two members keep the names of the fields each test class used to declare, so test bodies read as before.
#pragma warning disable IDE1006, SA1300

    /// <summary>The test host.</summary>
    protected FactoryApp _app { get; }

    /// <summary>A client with the admin key, made on first use (which starts the host).</summary>
    protected HttpClient _client => _adminClient ??= _app.CreateClient();
#pragma warning restore IDE1006, SA1300

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        _adminClient?.Dispose();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
