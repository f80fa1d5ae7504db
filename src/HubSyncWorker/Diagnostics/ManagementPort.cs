using System.Globalization;
using HubSyncWorker.Admin;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// <see cref="DiagnosticsOptions.ManagementPort"/>: Kestrel listens on it next to the configured URLs, and a middleware keeps
/// <c>/admin/*</c> and the metrics endpoint to it, by the port the connection arrived on (not the Host header, which a client
/// chooses). Requests for anything else are served on both ports.
/// </summary>
internal static class ManagementPort
{
    private static string Key => $"{DiagnosticsOptions.SectionName}:{nameof(DiagnosticsOptions.ManagementPort)}";

    /// <summary>The configured port, or null; a value that is no port is left to start-up validation.</summary>
    internal static int? Of(IConfiguration configuration) =>
        int.TryParse(configuration[Key], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535 ? port : null;

    /// <summary>
    /// Adds the management port to the URLs Kestrel binds: the configured ones (<c>urls</c>, else <c>http_ports</c>, else Kestrel's
    /// default), plus the first one's scheme and host on the management port.
    /// </summary>
    public static void Listen(WebApplicationBuilder builder)
    {
        if (Of(builder.Configuration) is not { } port)
        {
            return;
        }

        var urls = builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey);
        if (string.IsNullOrWhiteSpace(urls))
        {
            var httpPorts = builder.WebHost.GetSetting(WebHostDefaults.HttpPortsKey);
            urls = string.IsNullOrWhiteSpace(httpPorts)
                ? "http://localhost:5000"
                : string.Join(';', httpPorts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}"));
        }

        var first = BindingAddress.Parse(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);
        builder.WebHost.UseUrls($"{urls};{first.Scheme}://{first.Host}:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Answers 404 to <c>/admin/*</c> and the metrics endpoint unless the request came in on the management port.</summary>
    public static void Restrict(WebApplication app, string metricsPath)
    {
        if (Of(app.Configuration) is not { } port)
        {
            return;
        }

        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            var managementOnly = path.StartsWithSegments(AdminEndpoints.PathPrefix, StringComparison.OrdinalIgnoreCase)
                || path.StartsWithSegments(metricsPath, StringComparison.OrdinalIgnoreCase);
            if (managementOnly && context.Connection.LocalPort != port)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }
}
