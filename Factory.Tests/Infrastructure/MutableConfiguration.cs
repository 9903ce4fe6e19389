using Microsoft.Extensions.Configuration;

namespace Factory.Tests.Infrastructure;

/// <summary>
/// A configuration source a test can change while the server runs, as an operator edits a configuration file that is
/// reloaded: <see cref="Set"/> and <see cref="Remove"/> fire the reload, so <c>IOptionsMonitor</c> sees the change.
/// </summary>
public sealed class MutableConfiguration : IConfigurationSource
{
    private readonly Provider _provider = new();

    public MutableConfiguration(IDictionary<string, string?> initial)
    {
        foreach (var (key, value) in initial)
        {
            _provider.Set(key, value);
        }
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    /// <summary>Sets several keys at once (one reload, so options never see half a change).</summary>
    public void Set(IDictionary<string, string?> values)
    {
        foreach (var (key, value) in values)
        {
            _provider.Set(key, value);
        }

        _provider.Reload();
    }

    /// <summary>Removes every key starting with <paramref name="prefix"/> (a whole section, e.g. one configured key).</summary>
    public void Remove(string prefix) => _provider.RemovePrefix(prefix);

    private sealed class Provider : ConfigurationProvider
    {
        public void RemovePrefix(string prefix)
        {
            foreach (var key in Data.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                Data.Remove(key);
            }

            OnReload();
        }

        public void Reload() => OnReload();
    }
}
