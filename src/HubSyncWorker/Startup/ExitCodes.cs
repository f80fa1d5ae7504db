namespace HubSyncWorker.Startup;

/// <summary>The process's exit codes, the same for <c>run</c> and every verb.</summary>
internal static class ExitCodes
{
    /// <summary>Done as asked.</summary>
    public const int Success = 0;

    /// <summary>Start-up stopped (bad configuration, HubSpot refused the setup) or the work failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line or an input file cannot be used.</summary>
    public const int UsageError = 2;
}
