using System.Globalization;

namespace HubSyncWorker.Sandbox.Owners;

/// <summary>A HubSpot owner (a user who can own records), as <c>/crm/owners</c> returns it.</summary>
/// <param name="Id">The owner id (what <c>hubspot_owner_id</c> holds).</param>
/// <param name="UserId">The user id, used as the <c>sourceId</c> (<c>userId:{UserId}</c>) of the changes this person makes.</param>
/// <param name="Email">The user's email.</param>
/// <param name="FirstName">First name.</param>
/// <param name="LastName">Last name.</param>
/// <param name="Archived">True once the user was removed: no longer accepted as <c>hubspot_owner_id</c>.</param>
/// <param name="CreatedAt">When the owner was created.</param>
/// <param name="UpdatedAt">When the owner last changed.</param>
public sealed record SandboxOwner(string Id, long UserId, string Email, string FirstName, string LastName, bool Archived, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// The portal's owners: three active salespeople by default (<see cref="DefaultOwnerIds"/>); add, archive or restore them as an admin
/// would. Thread-safe.
/// </summary>
public sealed class SandboxOwners
{
    /// <summary>The ids of the owners every sandbox starts with, all active.</summary>
    public static IReadOnlyList<string> DefaultOwnerIds { get; } = ["75000001", "75000002", "75000003"];

    private readonly Lock _lock = new();
    private readonly List<SandboxOwner> _owners = [];
    private readonly TimeProvider _time;
    private long _nextId = 75_000_001;

    internal SandboxOwners(TimeProvider time)
    {
        _time = time;
        Add("ana.sales@example.com", "Ana", "Sales");
        Add("bob.sales@example.com", "Bob", "Sales");
        Add("cleo.sales@example.com", "Cleo", "Sales");
    }

    /// <summary>Every owner, archived ones included, in creation order.</summary>
    public IReadOnlyList<SandboxOwner> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _owners];
            }
        }
    }

    /// <summary>The owners that are not archived.</summary>
    public IReadOnlyList<SandboxOwner> Active => [.. All.Where(o => !o.Archived)];

    /// <summary>Adds an active owner and returns it (ids ascend from 75000001, user ids from 9100001).</summary>
    public SandboxOwner Add(string email, string firstName, string lastName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var id = _nextId++;
            var owner = new SandboxOwner(id.ToString(CultureInfo.InvariantCulture), id - 75_000_000 + 9_100_000, email, firstName, lastName, Archived: false, now, now);
            _owners.Add(owner);
            return owner;
        }
    }

    /// <summary>Archives an owner (a user removed from the portal): it can no longer be set as <c>hubspot_owner_id</c>. False when unknown.</summary>
    public bool Archive(string ownerId) => SetArchived(ownerId, archived: true);

    /// <summary>Makes an archived owner active again. False when unknown.</summary>
    public bool Restore(string ownerId) => SetArchived(ownerId, archived: false);

    /// <summary>The owner with this id, archived or not; null when unknown.</summary>
    public SandboxOwner? Get(string ownerId)
    {
        lock (_lock)
        {
            return _owners.Find(o => o.Id == ownerId);
        }
    }

    /// <summary>True when <paramref name="ownerId"/> names an active owner: the only values <c>hubspot_owner_id</c> accepts.</summary>
    public bool IsActive(string ownerId) => Get(ownerId) is { Archived: false };

    private bool SetArchived(string ownerId, bool archived)
    {
        lock (_lock)
        {
            var index = _owners.FindIndex(o => o.Id == ownerId);
            if (index < 0)
            {
                return false;
            }

            _owners[index] = _owners[index] with { Archived = archived, UpdatedAt = _time.GetUtcNow() };
            return true;
        }
    }
}
