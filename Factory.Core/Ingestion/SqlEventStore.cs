using System.Data;
using System.Data.Common;
using Factory.Core.Data;
using Factory.Core.Events;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Factory.Core.Ingestion;

/// <summary>
/// Inserts through one long-lived connection with prepared statements. The dedup key and
/// <c>(camera_id, event_id)</c> are unique indexes; <c>ON CONFLICT DO NOTHING</c> plus a lookup gives first-write-wins.
/// SQLite binds by position through the engine's API (see <see cref="InsertSqlite"/>); PostgreSQL goes through
/// ADO.NET with <c>RETURNING id</c>.
/// </summary>
public sealed class SqlEventStore(DatabaseProvider provider, string connectionString) : IEventStore
{
    private const string InsertSql =
        "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) " +
        "VALUES (@ts, @rcv, @w, @s, @t, @c, @n, @cam, @mv, @eid, @low) ON CONFLICT DO NOTHING RETURNING id";

    private const string LookupSql =
        "SELECT id FROM events WHERE (\"timestamp\" = @ts AND worker_id = @w AND event_type = @t) " +
        "OR (event_id = @eid AND camera_id = @cam) OR (event_id = @eid AND camera_id IS NULL AND @cam IS NULL) LIMIT 1";

    private const string SqliteInsertSql =
        "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING";

    private const string SqliteLookupSql =
        "SELECT id FROM events WHERE (\"timestamp\" = ?1 AND worker_id = ?2 AND event_type = ?3) " +
        "OR (event_id = ?4 AND camera_id = ?5) OR (event_id = ?4 AND camera_id IS NULL AND ?5 IS NULL) LIMIT 1";

    private DbConnection? _connection;
    private sqlite3_stmt? _sqliteInsert;
    private sqlite3_stmt? _sqliteLookup;

    public async Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertAsync(IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        if (connection is SqliteConnection sqlite)
        {
            return InsertSqlite(sqlite, events, receivedAt);
        }

        try
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using var insert = CreateInsert(connection, tx);
            await using var lookup = CreateLookup(connection, tx);

            var outcomes = new WriteOutcome[events.Count];
            var stored = new List<FactoryEvent>(events.Count);
            for (var i = 0; i < events.Count; i++)
            {
                var (e, low) = events[i];
                var ts = Instant(e.Timestamp);
                var p = insert.Parameters;
                p[0].Value = ts;
                p[1].Value = Instant(receivedAt);
                p[2].Value = e.WorkerId;
                p[3].Value = e.WorkstationId;
                p[4].Value = (int)e.EventType;
                p[5].Value = e.Confidence;
                p[6].Value = e.Count;
                p[7].Value = (object?)e.CameraId ?? DBNull.Value;
                p[8].Value = (object?)e.ModelVersion ?? DBNull.Value;
                p[9].Value = (object?)e.EventId ?? DBNull.Value;
                p[10].Value = low;

                var newId = await InsertOneAsync(insert, ct);
                if (newId > 0)
                {
                    outcomes[i] = new WriteOutcome(newId, Duplicate: false);
                    stored.Add(FactoryEvent.From(e, newId, receivedAt, low));
                    continue;
                }

                var lp = lookup.Parameters;
                lp[0].Value = ts;
                lp[1].Value = e.WorkerId;
                lp[2].Value = (int)e.EventType;
                lp[3].Value = (object?)e.EventId ?? DBNull.Value;
                lp[4].Value = (object?)e.CameraId ?? DBNull.Value;
                var existing = await lookup.ExecuteScalarAsync(ct)
                    ?? throw new InvalidOperationException("An insert conflicted but no conflicting row was found.");
                outcomes[i] = new WriteOutcome(Convert.ToInt64(existing, System.Globalization.CultureInfo.InvariantCulture), Duplicate: true);
            }

            await tx.CommitAsync(ct);
            return (outcomes, stored);
        }
        catch
        {
            // A broken connection is replaced on the next call.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// SQLite: the two statements are prepared once per connection and bound by position through the engine's own
    /// API. Binding through ADO.NET parameters looks every parameter up by name on every row, which cost more than
    /// the insert itself. No RETURNING: the last-insert rowid is exact because this connection is the only writer
    /// and runs one statement at a time.
    /// </summary>
    private (WriteOutcome[] Outcomes, List<FactoryEvent> Stored) InsertSqlite(SqliteConnection connection, IReadOnlyList<PendingEvent> events, DateTime receivedAt)
    {
        var db = connection.Handle!;
        try
        {
            var insert = _sqliteInsert ??= Prepare(db, SqliteInsertSql);
            var lookup = _sqliteLookup ??= Prepare(db, SqliteLookupSql);
            using var tx = connection.BeginTransaction();
            var outcomes = new WriteOutcome[events.Count];
            var stored = new List<FactoryEvent>(events.Count);
            var received = receivedAt.Ticks;
            for (var i = 0; i < events.Count; i++)
            {
                var (e, low) = events[i];
                var ts = e.Timestamp.Ticks;
                raw.sqlite3_bind_int64(insert, 1, ts);
                raw.sqlite3_bind_int64(insert, 2, received);
                raw.sqlite3_bind_text(insert, 3, e.WorkerId);
                raw.sqlite3_bind_text(insert, 4, e.WorkstationId);
                raw.sqlite3_bind_int(insert, 5, (int)e.EventType);
                raw.sqlite3_bind_double(insert, 6, e.Confidence);
                raw.sqlite3_bind_int(insert, 7, e.Count);
                BindOptionalText(insert, 8, e.CameraId);
                BindOptionalText(insert, 9, e.ModelVersion);
                BindOptionalText(insert, 10, e.EventId);
                raw.sqlite3_bind_int(insert, 11, low ? 1 : 0);
                Step(db, insert, raw.SQLITE_DONE);

                if (raw.sqlite3_changes(db) == 1)
                {
                    var newId = raw.sqlite3_last_insert_rowid(db);
                    outcomes[i] = new WriteOutcome(newId, Duplicate: false);
                    stored.Add(FactoryEvent.From(e, newId, receivedAt, low));
                    continue;
                }

                raw.sqlite3_bind_int64(lookup, 1, ts);
                raw.sqlite3_bind_text(lookup, 2, e.WorkerId);
                raw.sqlite3_bind_int(lookup, 3, (int)e.EventType);
                BindOptionalText(lookup, 4, e.EventId);
                BindOptionalText(lookup, 5, e.CameraId);
                var found = raw.sqlite3_step(lookup);
                var existing = found == raw.SQLITE_ROW ? raw.sqlite3_column_int64(lookup, 0) : 0;
                raw.sqlite3_reset(lookup);
                if (found != raw.SQLITE_ROW)
                {
                    throw found == raw.SQLITE_DONE
                        ? new InvalidOperationException("An insert conflicted but no conflicting row was found.")
                        : new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), found);
                }

                outcomes[i] = new WriteOutcome(existing, Duplicate: true);
            }

            tx.Commit();
            return (outcomes, stored);
        }
        catch
        {
            // A broken connection is replaced on the next call.
            DisposeStatements();
            _connection = null;
            connection.Dispose();
            throw;
        }
    }

    private static sqlite3_stmt Prepare(sqlite3 db, string sql)
    {
        var rc = raw.sqlite3_prepare_v2(db, sql, out var stmt);
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }

        return stmt;
    }

    private static void BindOptionalText(sqlite3_stmt stmt, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(stmt, index);
        }
        else
        {
            raw.sqlite3_bind_text(stmt, index, value);
        }
    }

    private static void Step(sqlite3 db, sqlite3_stmt stmt, int expected)
    {
        var rc = raw.sqlite3_step(stmt);
        raw.sqlite3_reset(stmt);
        if (rc != expected)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    private void DisposeStatements()
    {
        // Statements are finalized before their connection closes, or the engine keeps the connection open.
        _sqliteInsert?.Dispose();
        _sqliteLookup?.Dispose();
        _sqliteInsert = null;
        _sqliteLookup = null;
    }

    /// <summary>Runs the prepared insert; returns the new row id, or 0 when the row conflicted with a stored one.</summary>
    private static async Task<long> InsertOneAsync(DbCommand insert, CancellationToken ct)
    {
        var id = await insert.ExecuteScalarAsync(ct);
        return id is null or DBNull ? 0 : Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A durability setting as this store's own connection sees it: SQLite <c>journal_mode</c> or <c>synchronous</c>,
    /// PostgreSQL <c>synchronous_commit</c>. Tests read it back; call only while the writer is idle.
    /// </summary>
    internal async Task<string?> ReadSettingAsync(string name, CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = (provider, name) switch
        {
            (DatabaseProvider.Sqlite, "journal_mode") => "PRAGMA journal_mode",
            (DatabaseProvider.Sqlite, "synchronous") => "PRAGMA synchronous",
            (DatabaseProvider.Postgres, "synchronous_commit") => "SHOW synchronous_commit",
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a durability setting of this engine."),
        };
        return Convert.ToString(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private object Instant(DateTime utc) => provider == DatabaseProvider.Sqlite ? utc.Ticks : utc;

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_connection is { State: ConnectionState.Open })
        {
            return _connection;
        }

        DbConnection connection = provider switch
        {
            DatabaseProvider.Sqlite => new SqliteConnection(connectionString),
            _ => new NpgsqlConnection(connectionString),
        };
        await connection.OpenAsync(ct);
        if (provider == DatabaseProvider.Sqlite)
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync(ct);
        }

        _connection = connection;
        return connection;
    }

    private DbCommand CreateInsert(DbConnection connection, DbTransaction tx)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = InsertSql;
        foreach (var name in new[] { "ts", "rcv", "w", "s", "t", "c", "n", "cam", "mv", "eid", "low" })
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    private static DbCommand CreateLookup(DbConnection connection, DbTransaction tx)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = LookupSql;
        foreach (var name in new[] { "ts", "w", "t", "eid", "cam" })
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            cmd.Parameters.Add(p);
        }

        return cmd;
    }

    public async ValueTask DisposeAsync()
    {
        DisposeStatements();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}
