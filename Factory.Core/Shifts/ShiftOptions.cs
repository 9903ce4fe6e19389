namespace Factory.Core.Shifts;

/// <summary>Shift calendar settings (section <c>Shifts</c>).</summary>
public sealed class ShiftOptions
{
    public const string Section = "Shifts";

    /// <summary>Master switch: false makes the calendar <see cref="ShiftCalendar.Off"/>, whatever is stored, so every figure is the plain one.</summary>
    public bool Enabled { get; set; } = true;
}
