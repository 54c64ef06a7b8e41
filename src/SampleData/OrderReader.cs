using Npgsql;

namespace Prewarm.SampleData;

/// <summary>Maps the column list shared by the read and the write (<c>order_id … details</c>, in that order).</summary>
internal static class OrderReader
{
    public static Order Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetInt32(1),
        reader.GetString(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetDecimal(4),
        reader.GetString(5));
}
