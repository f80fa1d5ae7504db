using HubSyncWorker.Qualification.Policy;

namespace HubSyncWorker.Qualification;

/// <summary>A policy that failed validation; <see cref="Errors"/> lists every problem.</summary>
public sealed class PolicyValidationException : Exception
{
    public PolicyValidationException(IReadOnlyList<PolicyError> errors)
        : base("Invalid qualification policy:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public PolicyValidationException()
        : this([])
    {
    }

    public PolicyValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Every validation error.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }
}
