namespace HubSyncWorker.Startup;

/// <summary>
/// The hosts' content root, where <c>appsettings.json</c> (and with it the logging filters that keep Polly's per-attempt logs
/// quiet) is read from: the application's folder, so <c>dotnet /app/HubSyncWorker.dll</c> started from any working directory
/// reads its own settings. The .NET default, the working directory, found none there. A content root the user chose
/// (<c>--contentRoot</c>, <c>DOTNET_CONTENTROOT</c> or <c>ASPNETCORE_CONTENTROOT</c>) is kept.
/// </summary>
internal static class ContentRoot
{
    /// <summary>The host setting on the command line (the hosts read it from their arguments).</summary>
    public const string Argument = "--contentRoot";

    private static readonly string[] EnvironmentVariables = ["DOTNET_CONTENTROOT", "ASPNETCORE_CONTENTROOT"];

    /// <summary>
    /// <paramref name="configurationArguments"/> with the application's folder as the content root, unless the user set one
    /// there or in <paramref name="environment"/> (a variable's value by name).
    /// </summary>
    public static string[] ApplicationFolderUnlessSet(string[] configurationArguments, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(configurationArguments);
        ArgumentNullException.ThrowIfNull(environment);
        var chosen = configurationArguments.Any(a => a.Split('=', 2)[0].Equals(Argument, StringComparison.OrdinalIgnoreCase))
            || EnvironmentVariables.Any(v => !string.IsNullOrEmpty(environment(v)));
        return chosen ? configurationArguments : [.. configurationArguments, $"{Argument}={AppContext.BaseDirectory}"];
    }
}
