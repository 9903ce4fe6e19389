namespace Factory.Web.Dashboard;

/// <summary>
/// What a page shows when a query fails: a sentence and a reference to the log entry, never the exception's own text
/// (it can carry SQL, file paths or connection details). The exception goes to the log under that reference.
/// </summary>
public static partial class PageErrors
{
    public static string Describe(ILogger logger, Exception exception, string view)
    {
        var reference = Guid.NewGuid().ToString("N")[..8];
        LogFailed(logger, exception, view, reference);
        return $"The server could not read this {view} (reference {reference} in its log).";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The dashboard could not read its {View} (reference {Reference})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string view, string reference);
}
