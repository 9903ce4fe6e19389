using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Factory.Core.Events;

/// <summary>Events that arrived later than allowed: <c>received_at - timestamp</c> above the threshold.</summary>
public static class LateEvents
{
    /// <summary>
    /// A composable query of the late events. The lag is a difference of two columns, which EF cannot
    /// translate over SQLite's tick storage, so the base filter is SQL (the same text on both engines).
    /// </summary>
    public static IQueryable<FactoryEvent> Query(FactoryDbContext db, TimeSpan lateAfter)
    {
        object threshold = db.Database.IsSqlite() ? lateAfter.Ticks : lateAfter;
        return db.Events.FromSqlRaw("SELECT * FROM events WHERE received_at - \"timestamp\" > {0}", threshold);
    }
}
