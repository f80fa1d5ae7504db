using System.Net;
using HubSyncWorker.HubSpot.Errors;

namespace HubSyncWorker.HubSpot.Contacts;

/// <summary>One page of the contacts list (<c>GET /crm/objects/{version}/contacts</c>).</summary>
public sealed record ContactListQuery
{
    /// <summary>Page size, 1-100 (HubSpot lowers it to 50 when history is requested). Default 100.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Cursor from <see cref="ContactPage.NextAfter"/>; <see langword="null"/> for the first page.</summary>
    public string? After { get; init; }

    public IReadOnlyList<string> Properties { get; init; } = [];

    public IReadOnlyList<string> PropertiesWithHistory { get; init; } = [];

    /// <summary>Object types to include associations for (for example <c>deals</c>).</summary>
    public IReadOnlyList<string> Associations { get; init; } = [];

    public bool Archived { get; init; }
}

/// <summary>A page of contacts; <see cref="NextAfter"/> is <see langword="null"/> on the last page.</summary>
public sealed record ContactPage(IReadOnlyList<HubSpotContact> Results, string? NextAfter);

/// <summary>A page of search results; <see cref="Total"/> counts every match (searches stop at 10,000).</summary>
public sealed record ContactSearchPage(int Total, IReadOnlyList<HubSpotContact> Results, string? NextAfter);

/// <summary>
/// Outcome of a batch read: the records found, and the requested ids HubSpot has no record for (deleted, or merged away:
/// an id missing from the results counts as not found even without an error).
/// </summary>
public sealed record BatchReadResult(IReadOnlyList<HubSpotContact> Found, IReadOnlyList<string> NotFoundIds, IReadOnlyList<ContactError> Errors);

/// <summary>New values for one contact; <c>""</c> clears a value.</summary>
public sealed record ContactUpdate(string Id, IReadOnlyDictionary<string, string> Properties);

/// <summary>A failure that concerns one contact (or, with <see cref="ContactId"/> <see langword="null"/>, one that HubSpot did not tie to an input).</summary>
public sealed record ContactError(string? ContactId, string? Category, string Message)
{
    /// <summary>HubSpot's error code (<c>INVALID_OPTION</c>, <c>MISSING_REQUIRED_PROPERTY</c>, ...), when it sent one.</summary>
    public string? Code { get; init; }

    /// <summary>The properties the error names (<c>context.propertyName</c>): for a validation rule, those the portal requires.</summary>
    public IReadOnlyList<string> PropertyNames { get; init; } = [];

    /// <summary>
    /// A rejection by one of the portal's validation rules (<see cref="HubSpotErrorCodes.IsValidationRule"/>): the contact's own,
    /// never worth retrying.
    /// </summary>
    public bool IsValidationRuleRejection => HubSpotErrorCodes.IsValidationRule(Code);

    // Compares the property names by value: a record would compare the list references.
    public bool Equals(ContactError? other) =>
        other is not null
        && string.Equals(ContactId, other.ContactId, StringComparison.Ordinal)
        && string.Equals(Category, other.Category, StringComparison.Ordinal)
        && string.Equals(Message, other.Message, StringComparison.Ordinal)
        && string.Equals(Code, other.Code, StringComparison.Ordinal)
        && PropertyNames.SequenceEqual(other.PropertyNames, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(ContactId, Category, Message, Code, PropertyNames.Count);
}

/// <summary>HubSpot refused the whole batch (typically 400 <c>VALIDATION_ERROR</c> for one invalid value): nothing was written.</summary>
public sealed record BatchFailure(HttpStatusCode StatusCode, string? Category, string Message, string? CorrelationId);

/// <summary>
/// Outcome of a batch update: records written, per-input errors mapped back to the contact id, and, when HubSpot refused the
/// whole batch, <see cref="BatchFailure"/> (then <see cref="Updated"/> is empty and <see cref="Errors"/> holds whatever detail HubSpot gave).
/// </summary>
public sealed record BatchUpdateResult(IReadOnlyList<HubSpotContact> Updated, IReadOnlyList<ContactError> Errors, BatchFailure? BatchFailure)
{
    /// <summary>Every input was written.</summary>
    public bool Succeeded => BatchFailure is null && Errors.Count == 0;
}
