using HubSyncWorker.Cli;
using HubSyncWorker.Startup;

namespace HubSyncWorker.UnitTests.Startup;

public sealed class ContentRootTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void ApplicationFolderUnlessSet_NothingChosen_AddsTheApplicationFolder()
    {
        var arguments = ContentRoot.ApplicationFolderUnlessSet(["--Sync:DryRun=true"], NoEnvironment);

        Assert.Equal(["--Sync:DryRun=true", $"--contentRoot={AppContext.BaseDirectory}"], arguments);
    }

    [Theory]
    [InlineData("--contentRoot=/srv/hubsync")]
    [InlineData("--contentroot")]
    public void ApplicationFolderUnlessSet_ContentRootOnTheCommandLine_KeepsIt(string argument)
    {
        string[] given = [argument, "/srv/hubsync"];

        Assert.Equal(given, ContentRoot.ApplicationFolderUnlessSet(given, NoEnvironment));
    }

    [Theory]
    [InlineData("DOTNET_CONTENTROOT")]
    [InlineData("ASPNETCORE_CONTENTROOT")]
    public void ApplicationFolderUnlessSet_ContentRootInTheEnvironment_KeepsIt(string variable)
    {
        var arguments = ContentRoot.ApplicationFolderUnlessSet([], name => name == variable ? "/srv/hubsync" : null);

        Assert.Empty(arguments);
    }

    [Fact]
    public void Parse_ContentRootSetting_IsAHostSettingNotAnUnknownOption()
    {
        var parsed = CommandLine.Parse(["policy", "check", "--contentRoot=/srv/hubsync"]);

        Assert.Equal(["--contentRoot=/srv/hubsync"], parsed.ConfigurationArguments);
    }
}
