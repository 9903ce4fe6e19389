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
/// SQLite binds by position through the engine's API (see <see cref="InsertSqlite"/>); PostgreSQL takes a whole
/// batch in one statement (see <see cref="InsertPostgresAsync"/>).
/// </summary>
public sealed class SqlEventStore(DatabaseProvider provider, string connectionString) : IEventStore
{
    private const string SqliteInsertSql =
        "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) " +
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT DO NOTHING";

    private const string SqliteLookupSql =
        "SELECT id FROM events WHERE (\"timestamp\" = ?1 AND worker_id = ?2 AND event_type = ?3) " +
        "OR (event_id = ?4 AND camera_id = ?5) OR (event_id = ?4 AND camera_id IS NULL AND ?5 IS NULL) LIMIT 1";

    private DbConnection? _connection;
    private sqlite3_stmt? _sqliteInsert;
    private sqlite3_stmt? _sqliteLookup;
    private NpgsqlCommand? _pgInsert;
    private NpgsqlCommand? _pgLookup;
    private uint _idSequence;

    public async Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertAsync(IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        if (connection is SqliteConnection sqlite)
        {
            return InsertSqlite(sqlite, events, receivedAt);
        }

        return await InsertPostgresAsync((NpgsqlConnection)connection, events, receivedAt, ct);
    }

    /// <summary>
    /// PostgreSQL: one statement per batch, whatever its size, so the cost per event is the engine's, not a round
    /// trip's. The events travel as one array per column and are expanded by <c>unnest … WITH ORDINALITY</c>. Each row
    /// draws its id from the table's sequence in array order first (<c>src</c>), then the rows are inserted in that
    /// order with those ids; <c>ON CONFLICT DO NOTHING</c> names no index, so any unique index (the dedup key, the
    /// edge's id) turns a row into a duplicate, including a later row of the same batch. The statement answers, per
    /// row in array order, its id and whether it was inserted: ids ascend in receive order, and a skipped row's
    /// stored id is then found by one lookup statement for all of them (see <see cref="ResolveDuplicatesAsync"/>).
    /// </summary>
    private async Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertPostgresAsync(
        NpgsqlConnection connection, IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct)
    {
        try
        {
            _pgInsert ??= await PreparePostgresAsync(connection, PostgresInsertSql(_idSequence), PostgresInsertTypes, ct);
            _pgLookup ??= await PreparePostgresAsync(connection, PostgresLookupSql, PostgresLookupTypes, ct);
            var count = events.Count;
            var timestamps = new DateTime[count];
            var workers = new string[count];
            var stations = new string[count];
            var types = new int[count];
            var confidences = new double[count];
            var counts = new int[count];
            var cameras = new string?[count];
            var models = new string?[count];
            var eventIds = new string?[count];
            var lows = new bool[count];
            for (var i = 0; i < count; i++)
            {
                var (e, low) = events[i];
                timestamps[i] = e.Timestamp;
                workers[i] = e.WorkerId;
                stations[i] = e.WorkstationId;
                types[i] = (int)e.EventType;
                confidences[i] = e.Confidence;
                counts[i] = e.Count;
                cameras[i] = e.CameraId;
                models[i] = e.ModelVersion;
                eventIds[i] = e.EventId;
                lows[i] = low;
            }

            await using var tx = await connection.BeginTransactionAsync(ct);
            var insert = _pgInsert;
            insert.Transaction = tx;
            var p = insert.Parameters;
            p[0].Value = receivedAt;
            p[1].Value = timestamps;
            p[2].Value = workers;
            p[3].Value = stations;
            p[4].Value = types;
            p[5].Value = confidences;
            p[6].Value = counts;
            p[7].Value = cameras;
            p[8].Value = models;
            p[9].Value = eventIds;
            p[10].Value = lows;

            var outcomes = new WriteOutcome[count];
            var stored = new List<FactoryEvent>(count);
            List<(int Index, long DrawnId)>? conflicts = null;
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                var i = 0;
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetInt64(0);
                    if (reader.GetBoolean(1))
                    {
                        outcomes[i] = new WriteOutcome(id, Duplicate: false);
                        var (e, low) = events[i];
                        stored.Add(FactoryEvent.From(e, id, receivedAt, low));
                    }
                    else
                    {
                        (conflicts ??= []).Add((i, id));
                    }

                    i++;
                }

                if (i != count)
                {
                    throw new InvalidOperationException($"The insert answered {i} rows for {count} events.");
                }
            }

            if (conflicts is not null)
            {
                await ResolveDuplicatesAsync(_pgLookup, tx, events, conflicts, stored, outcomes, ct);
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
    /// The stored id of each conflicting event: the row with its dedup key, else the row with its edge id. A row this
    /// batch inserted after the conflicting event (a later row with the same key, say) is not what it conflicted
    /// with, so it is passed over: the answer is the row that was there when the event's turn came, as if the rows had
    /// been inserted one by one.
    /// </summary>
    private static async Task ResolveDuplicatesAsync(
        NpgsqlCommand lookup, NpgsqlTransaction tx, IReadOnlyList<PendingEvent> events, List<(int Index, long DrawnId)> conflicts,
        List<FactoryEvent> stored, WriteOutcome[] outcomes, CancellationToken ct)
    {
        var count = conflicts.Count;
        var timestamps = new DateTime[count];
        var workers = new string[count];
        var types = new int[count];
        var eventIds = new string?[count];
        var cameras = new string?[count];
        for (var j = 0; j < count; j++)
        {
            var e = events[conflicts[j].Index].Event;
            timestamps[j] = e.Timestamp;
            workers[j] = e.WorkerId;
            types[j] = (int)e.EventType;
            eventIds[j] = e.EventId;
            cameras[j] = e.CameraId;
        }

        lookup.Transaction = tx;
        var p = lookup.Parameters;
        p[0].Value = timestamps;
        p[1].Value = workers;
        p[2].Value = types;
        p[3].Value = eventIds;
        p[4].Value = cameras;
        HashSet<long>? insertedNow = null;
        await using var reader = await lookup.ExecuteReaderAsync(ct);
        var k = 0;
        while (await reader.ReadAsync(ct))
        {
            if (k >= count)
            {
                break;
            }

            var (index, drawnId) = conflicts[k];
            long? found = null;
            for (var column = 0; column < 2 && found is null; column++)
            {
                if (reader.IsDBNull(column))
                {
                    continue;
                }

                var id = reader.GetInt64(column);
                if (id < drawnId || !(insertedNow ??= stored.Select(e => e.Id).ToHashSet()).Contains(id))
                {
                    found = id;
                }
            }

            outcomes[index] = new WriteOutcome(found ?? throw new InvalidOperationException("An insert conflicted but no conflicting row was found."), Duplicate: true);
            k++;
        }

        if (k != count)
        {
            throw new InvalidOperationException($"The duplicate lookup answered {k} rows for {count} events.");
        }
    }

    /// <summary>The batch insert; <paramref name="sequence"/> is the oid of the id column's sequence.</summary>
    private static string PostgresInsertSql(uint sequence) => $"""
        WITH src AS MATERIALIZED (
            SELECT nextval({sequence}::oid::regclass) AS id, u.*
            FROM unnest($2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                WITH ORDINALITY AS u(ts, w, s, t, c, n, cam, mv, eid, low, ord)
            ORDER BY u.ord),
        ins AS (
            INSERT INTO events (id, "timestamp", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence)
            SELECT id, ts, $1, w, s, t, c, n, cam, mv, eid, low FROM src ORDER BY ord
            ON CONFLICT DO NOTHING
            RETURNING id)
        SELECT src.id, ins.id IS NOT NULL FROM src LEFT JOIN ins ON ins.id = src.id ORDER BY src.ord
        """;

    private static readonly NpgsqlTypes.NpgsqlDbType[] PostgresInsertTypes =
    [
        NpgsqlTypes.NpgsqlDbType.TimestampTz,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Double,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Boolean,
    ];

    /// <summary>
    /// Per conflicting event, in the order given: the row with the same dedup key and the row with the same edge id from the
    /// same camera (each unique, so at most one of each).
    /// </summary>
    private const string PostgresLookupSql = """
        SELECT
            (SELECT e.id FROM events e WHERE e."timestamp" = u.ts AND e.worker_id = u.w AND e.event_type = u.t),
            (SELECT e.id FROM events e WHERE e.event_id = u.eid AND e.camera_id IS NOT DISTINCT FROM u.cam)
        FROM unnest($1, $2, $3, $4, $5) WITH ORDINALITY AS u(ts, w, t, eid, cam, ord)
        ORDER BY u.ord
        """;

    private static readonly NpgsqlTypes.NpgsqlDbType[] PostgresLookupTypes =
    [
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Integer,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
        NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text,
    ];

    private static async Task<NpgsqlCommand> PreparePostgresAsync(NpgsqlConnection connection, string sql, NpgsqlTypes.NpgsqlDbType[] types, CancellationToken ct)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var type in types)
        {
            cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
        }

        await cmd.PrepareAsync(ct);
        return cmd;
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
        _pgInsert?.Dispose();
        _pgLookup?.Dispose();
        _pgInsert = null;
        _pgLookup = null;
        // Statements are finalized before their connection closes, or the engine keeps the connection open.
        _sqliteInsert?.Dispose();
        _sqliteLookup?.Dispose();
        _sqliteInsert = null;
        _sqliteLookup = null;
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

    private async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_connection is { State: ConnectionState.Open })
        {
            return _connection;
        }

        // Statements prepared on a previous connection are not valid on a new one.
        await DisposeAsync();
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
        else
        {
            await using var sequence = connection.CreateCommand();
            sequence.CommandText = "SELECT pg_get_serial_sequence('events', 'id')::regclass::oid";
            _idSequence = (uint)(await sequence.ExecuteScalarAsync(ct))!;
        }

        _connection = connection;
        return connection;
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
