using System.Globalization;
using Factory.Core.Events;

namespace Factory.Web.Endpoints;

/// <summary>
/// Collects query-string errors by parameter name, so that one 400 lists every bad parameter.
/// Parameters are bound as strings and parsed here: the framework's own binding errors would not name them clearly.
/// </summary>
internal sealed class QueryParameters
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IReadOnlyDictionary<string, string[]> Errors => _errors;

    public void Add(string name, string message) => _errors[name] = [message];

    public DateTime? Instant(string name, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (WireTime.TryParse(value, out var utc, out var error))
        {
            return utc;
        }

        Add(name, error!);
        return null;
    }

    /// <param name="setting">The setting <paramref name="max"/> comes from, named in the error so the caller knows it is a limit.</param>
    public int Int(string name, string? value, int fallback, int min, int max, string? setting = null)
    {
        if (value is null)
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        Add(name, setting is null ? $"Must be an integer from {min} to {max}." : $"Must be an integer from {min} to {max} ({setting}).");
        return fallback;
    }

    public bool Bool(string name, string? value, bool fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        if (value is "1" or "0")
        {
            return value == "1";
        }

        Add(name, "Must be true or false.");
        return fallback;
    }

    public string? Text(string name, string? value, int maxLength = 64)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 0 || value.Length > maxLength)
        {
            Add(name, $"Must be 1 to {maxLength} characters.");
            return null;
        }

        return Filter(name, value);
    }

    /// <summary>
    /// A value matched against stored text: no stored id has control characters, and PostgreSQL refuses a NUL in a
    /// parameter, so such a value is an error naming the parameter rather than a failed query.
    /// </summary>
    public string? Filter(string name, string? value)
    {
        if (value is not null && value.Any(char.IsControl))
        {
            Add(name, "Must not contain control characters.");
            return null;
        }

        return value;
    }

    public IResult Problem() => TypedResults.ValidationProblem(_errors,
        detail: "Invalid query parameters: " + string.Join("; ", _errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
}
