namespace HubSyncWorker.Sandbox;

/// <summary>Which token the portal accepts right now: the private app's token can be revoked, restored or rotated while the sandbox runs.</summary>
internal sealed class SandboxAccess(string token)
{
    private readonly Lock _gate = new();
    private string _token = token;
    private bool _revoked;

    public string Token
    {
        get
        {
            lock (_gate)
            {
                return _token;
            }
        }
    }

    public bool Revoked
    {
        get
        {
            lock (_gate)
            {
                return _revoked;
            }
        }
    }

    public bool Accepts(string presented)
    {
        lock (_gate)
        {
            return !_revoked && string.Equals(presented, _token, StringComparison.Ordinal);
        }
    }

    public void Revoke()
    {
        lock (_gate)
        {
            _revoked = true;
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            _revoked = false;
        }
    }

    public void Set(string token)
    {
        lock (_gate)
        {
            (_token, _revoked) = (token, false);
        }
    }
}
