using HubSyncWorker.Storage;
using HubSyncWorker.Storage.Redis;
using StackExchange.Redis;

namespace HubSyncWorker.UnitTests.Storage;

public sealed class WorkQueueEntryTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryParse_MetadataAndContactsWithAFieldItDoesNotKnow_ReadsTheEntryAndSkipsTheField()
    {
        RedisValue[] fields =
        [
            WorkQueueEntry.ContactsField, WorkQueueEntry.JoinContacts(["101", "102"]),
            .. WorkQueueEntry.Metadata(WorkReason.IncrementalSync, At),
            "x-later-field", "a value a later version writes",
        ];

        Assert.True(WorkQueueEntry.TryParse(Result(fields), out var entry));

        Assert.Equal(["101", "102"], entry.ContactIds);
        Assert.Equal((WorkReason.IncrementalSync, At, null), (entry.Reason, entry.EnqueuedAt, entry.TraceParent));
    }

    [Fact]
    public void TryParse_MetadataWithATraceParent_ReadsItBack()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        RedisValue[] fields = [WorkQueueEntry.ContactsField, "101", .. WorkQueueEntry.Metadata(WorkReason.Webhook, At, traceParent)];

        Assert.True(WorkQueueEntry.TryParse(Result(fields), out var entry));

        Assert.Equal(traceParent, entry.TraceParent);
    }

    [Theory]
    [InlineData("c", "")]
    [InlineData("x", "101")]
    public void TryParse_NoContact_IsUnreadable(string name, string value)
    {
        RedisValue[] fields = [name, value, .. WorkQueueEntry.Metadata(WorkReason.Webhook, At)];

        Assert.False(WorkQueueEntry.TryParse(Result(fields), out _));
    }

    [Fact]
    public void TryParse_NoEnqueueTime_IsUnreadable()
    {
        RedisValue[] fields = [WorkQueueEntry.ContactsField, "101", WorkQueueEntry.ReasonField, "Webhook"];

        Assert.False(WorkQueueEntry.TryParse(Result(fields), out _));
    }

    [Theory]
    [InlineData("101", true)]
    [InlineData("1,2", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsListable_ContactId_IsTrueOnlyWithoutTheSeparator(string? contactId, bool expected) =>
        Assert.Equal(expected, WorkQueueEntry.IsListable(contactId));

    private static RedisResult[] Result(RedisValue[] fields) => Array.ConvertAll(fields, value => RedisResult.Create(value));
}
