using MudBlazor;

namespace Factory.Web.Components.Layout;

/// <summary>
/// The dark industrial theme: steel greys, a safety-amber accent, large figures. Colours are chosen for
/// WCAG AA contrast of text on the dark surfaces; state colours match the event stream and timeline.
/// </summary>
public static class FactoryTheme
{
    private static readonly string[] FontStack = ["Inter", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static MudTheme Theme { get; } = new()
    {
        PaletteDark = new PaletteDark
        {
            Primary = "#ffb74d",
            PrimaryContrastText = "#1a1205",
            Secondary = "#4fc3f7",
            Tertiary = "#81c784",
            Info = "#64b5f6",
            Success = "#66bb6a",
            Warning = "#ffb300",
            Error = "#ef5350",
            Background = "#111418",
            BackgroundGray = "#171b20",
            Surface = "#1b2026",
            DrawerBackground = "#161a1f",
            DrawerText = "#d7dde4",
            DrawerIcon = "#aab4bf",
            AppbarBackground = "#161a1f",
            AppbarText = "#e9edf1",
            TextPrimary = "#e9edf1",
            TextSecondary = "#aab4bf",
            ActionDefault = "#c3ccd5",
            LinesDefault = "#2c333b",
            TableLines = "#2c333b",
            TableHover = "#232a31",
            Divider = "#2c333b",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            H1 = new H1Typography { FontFamily = FontStack },
            H2 = new H2Typography { FontFamily = FontStack },
            H3 = new H3Typography { FontFamily = FontStack },
            H4 = new H4Typography { FontFamily = FontStack },
            H5 = new H5Typography { FontFamily = FontStack },
            H6 = new H6Typography { FontFamily = FontStack },
            Button = new ButtonTypography { FontFamily = FontStack },
            Body1 = new Body1Typography { FontFamily = FontStack },
            Body2 = new Body2Typography { FontFamily = FontStack },
            Caption = new CaptionTypography { FontFamily = FontStack },
            Subtitle1 = new Subtitle1Typography { FontFamily = FontStack },
            Subtitle2 = new Subtitle2Typography { FontFamily = FontStack },
            Overline = new OverlineTypography { FontFamily = FontStack },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px", DrawerWidthLeft = "232px" },
    };
}
