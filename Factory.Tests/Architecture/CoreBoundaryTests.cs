using System.Text.RegularExpressions;

namespace Factory.Tests.Architecture;

/// <summary>The domain library stays free of the web: no ASP.NET Core, no HTTP routes or status codes in what it says.</summary>
public sealed partial class CoreBoundaryTests
{
    [Fact]
    public void Core_does_not_reference_asp_net_core()
    {
        var references = typeof(Factory.Core.Events.FactoryEvent).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_messages_do_not_name_http_routes_or_status_codes()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SourceRoot(), "Factory.Core"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].TrimStart();
                if (line.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match literal in StringLiteral().Matches(line))
                {
                    if (WebWords().IsMatch(literal.Value))
                    {
                        offenders.Add($"{Path.GetFileName(file)}:{i + 1}: {literal.Value}");
                    }
                }
            }
        }

        Assert.Empty(offenders);
    }

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Factory.sln not found above the test output folder.");
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"/api/|\bHTTP\b|\b(?:400|401|403|404|409|413|415|422|429|500|503)\b")]
    private static partial Regex WebWords();
}
