using Bunit;
using Microsoft.AspNetCore.Components;

namespace Factory.Tests.Components;

/// <summary>
/// The one way component tests wait for a render: bUnit's <c>WaitForAssertion</c> with a deadline that holds on a
/// loaded 2-core machine (bUnit's default is 1 second). A wait ends as soon as its assertion passes, so the
/// generous deadline costs nothing when the machine is idle; time the components schedule runs on fake clocks.
/// </summary>
internal static class RenderWaits
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Re-runs <paramref name="assertion"/> after each render until it passes or <see cref="Deadline"/> passes.</summary>
    public static void WaitUntil<TComponent>(this IRenderedComponent<TComponent> cut, Action assertion)
        where TComponent : IComponent =>
        cut.WaitForAssertion(assertion, Deadline);
}
