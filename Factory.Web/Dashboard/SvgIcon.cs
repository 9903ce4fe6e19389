using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace Factory.Web.Dashboard;

/// <summary>
/// A MudBlazor icon as the markup <c>MudIcon</c> renders, without a component per icon: each dashboard circuit keeps
/// a render tree per component, so the overview's icons are plain markup, one string per icon and size shared by
/// every circuit.
/// </summary>
public static class SvgIcon
{
    private static readonly ConcurrentDictionary<(string Icon, string Size, string? Class), MarkupString> Cache = new();

    /// <summary>A small icon (the size of the KPI and tile icons).</summary>
    public static MarkupString Small(string icon, string? cssClass = null) => Of(icon, "small", cssClass);

    /// <summary>
    /// The icon at <paramref name="size"/> (<c>small</c>, <c>medium</c>, <c>large</c>); <paramref name="icon"/> is one
    /// of MudBlazor's <c>Icons</c> constants (trusted SVG content).
    /// </summary>
    public static MarkupString Of(string icon, string size, string? cssClass = null) =>
        Cache.GetOrAdd((icon, size, cssClass), static key => new MarkupString(
            $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{key.Size}{(key.Class is null ? "" : " " + key.Class)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{key.Icon}</svg>"));
}
