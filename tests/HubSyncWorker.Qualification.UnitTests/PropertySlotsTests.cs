using HubSyncWorker.Qualification.Evaluation;

namespace HubSyncWorker.Qualification.UnitTests;

/// <summary>The table that maps a contact's property names to the policy's value slots.</summary>
public sealed class PropertySlotsTests
{
    [Fact]
    public void SlotOf_DefaultPolicyProperties_EachItsOwnSlot()
    {
        var names = ContactBuilder.DefaultPolicy.RequiredProperties;
        var slots = new PropertySlots(names);

        Assert.Equal(Enumerable.Range(0, names.Count), names.Select(slots.SlotOf));
    }

    [Fact]
    public void SlotOf_ManyLookAlikeNames_EachItsOwnSlot()
    {
        // More names than any multiplier separates: the lookups that share a cell must still find their own name.
        var names = Enumerable.Range(0, 3000).Select(i => $"hs_custom_{i % 10}_{i}").ToArray();
        var slots = new PropertySlots(names);

        Assert.Equal(Enumerable.Range(0, names.Length), names.Select(slots.SlotOf));
    }

    [Theory]
    [InlineData("LIFECYCLESTAGE")]
    [InlineData("lifecyclestage ")]
    [InlineData("")]
    [InlineData("hs_analytics_num_visit")]
    public void SlotOf_NameThePolicyDoesNotRead_MinusOne(string name) =>
        Assert.Equal(-1, new PropertySlots(ContactBuilder.DefaultPolicy.RequiredProperties).SlotOf(name));
}
