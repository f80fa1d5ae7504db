using HubSyncWorker.Admin;

namespace HubSyncWorker.UnitTests.Admin;

public sealed class AdminOptionsTests
{
    [Fact]
    public void Validate_ShortTokenWithSpace_ReportsBothWithoutEchoingTheToken()
    {
        const string token = "short tok";

        var result = new AdminOptionsRules().Validate(null, new AdminOptions { Token = token });

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
        Assert.All(result.Failures!, f => Assert.StartsWith("Admin:Token", f, StringComparison.Ordinal));
        Assert.All(result.Failures!, f => Assert.DoesNotContain(token, f, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoToken_SucceedsWithEndpointsDisabled()
    {
        var options = new AdminOptions();

        Assert.True(new AdminOptionsRules().Validate(null, options).Succeeded);
        Assert.False(options.Enabled);
    }

    [Theory]
    [InlineData("0123456789abcdef0123", true)]
    [InlineData("0123456789abcdef012", false)]
    [InlineData("0123456789abcdef01234", false)]
    [InlineData("", false)]
    public void TokensMatch_PresentedToken_OnlyTheExactTokenMatches(string presented, bool expected) =>
        Assert.Equal(expected, AdminEndpoints.TokensMatch(presented, "0123456789abcdef0123"));
}
