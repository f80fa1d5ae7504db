using System.Net;
using HubSyncWorker.HubSpot.Errors;

namespace HubSyncWorker.HubSpot.Handoff;

/// <summary>
/// HubSpot refused a Leads call because this portal or app has no access to the Leads object: 403 <c>MISSING_SCOPES</c> (the
/// <c>crm.objects.leads.*</c> scopes, which only a portal with Sales Hub Professional or Enterprise can grant), or an answer saying
/// the object type is unknown. Retrying cannot help; fall back to the contact owner and a task, and say so.
/// </summary>
public sealed class HubSpotLeadsUnavailableException : HubSpotApiException
{
    public HubSpotLeadsUnavailableException()
    {
    }

    public HubSpotLeadsUnavailableException(string message)
        : base(message)
    {
    }

    public HubSpotLeadsUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal HubSpotLeadsUnavailableException(HttpStatusCode statusCode, HubSpotErrorBody? error, string operation)
        : base(
            $"HubSpot {operation} failed with {(int)statusCode} {error?.Category}: this portal or app has no access to the Leads object " +
            "(it needs Sales Hub Professional or Enterprise, and the app the crm.objects.leads.read and crm.objects.leads.write scopes)." +
            (error?.CorrelationId is { } correlationId ? $" Correlation id {correlationId}." : string.Empty),
            statusCode,
            error)
    {
    }
}
