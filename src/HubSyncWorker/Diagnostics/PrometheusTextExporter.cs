using System.Globalization;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// The Prometheus endpoint's text, read from this host's OpenTelemetry metric pipeline on each scrape (a pull reader beside the
/// optional OTLP one), under the names the worker served before it moved to OpenTelemetry: the instrument's name with dots as
/// underscores (<c>hubsync.webhook.events</c> becomes <c>hubsync_webhook_events_total</c>), <c>_seconds</c> for a unit of
/// <c>s</c>, <c>_bytes</c> for <c>By</c>, <c>_total</c> for a counter.
/// <para>
/// Why not OpenTelemetry's own Prometheus exporter: it is served here only as a beta (1.20.1-beta.1, behind the 1.21.0 SDK), and it
/// changes every series dashboards and alerts were written against: it adds <c>otel_scope_*</c> labels to each series and a
/// <c>target_info</c> family, and derives suffixes from UCUM units (a unit of <c>{request}</c> is dropped, others are spelt out).
/// This renderer is the text format only (about a hundred lines); the pipeline, the meters' selection and the OTLP export are
/// OpenTelemetry's.
/// </para>
/// </summary>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusTextExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly Lock _scrape = new();
    private string _text = "";

    /// <summary>Set by the reader: collects the pipeline, calling <see cref="Export"/> on this thread.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>Collects the pipeline now and returns the exposition (Prometheus text format 0.0.4); empty before the reader is built.</summary>
    public string Scrape(int timeoutMilliseconds)
    {
        lock (_scrape)
        {
            // The points are only valid inside Export, so they are rendered there.
            _text = "";
            Collect?.Invoke(timeoutMilliseconds);
            return _text;
        }
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var families = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var metric in batch)
        {
            var name = PrometheusName(metric.Name, metric.Unit, IsCounter(metric.MetricType));
            if (!families.TryGetValue(name, out var list))
            {
                families[name] = list = [];
                order.Add(name);
            }

            list.Add(metric);
        }

        var text = new StringBuilder(4096);
        foreach (var name in order)
        {
            Render(text, name, families[name]);
        }

        _text = text.ToString();
        return ExportResult.Success;
    }

    /// <summary>The Prometheus name of an instrument's stream.</summary>
    internal static string PrometheusName(string instrumentName, string? unit, bool counter)
    {
        var name = new StringBuilder(instrumentName.Length + 16);
        foreach (var c in instrumentName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        var suffix = unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => null,
        };
        if (suffix is not null && !name.ToString().EndsWith(suffix, StringComparison.Ordinal))
        {
            name.Append(suffix);
        }

        if (counter)
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static bool IsCounter(MetricType type) => type is MetricType.LongSum or MetricType.DoubleSum;

    private static void Render(StringBuilder text, string name, List<Metric> metrics)
    {
        var first = metrics[0];
        var type = first.MetricType switch
        {
            MetricType.LongSum or MetricType.DoubleSum => "counter",
            MetricType.Histogram => "histogram",
            MetricType.LongGauge or MetricType.DoubleGauge or MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic => "gauge",
            _ => null,
        };
        if (type is null || metrics.Any(m => m.MetricType != first.MetricType))
        {
            // Exponential histograms are not configured; a name two kinds of instrument share could not be one family.
            return;
        }

        var points = new StringBuilder();
        foreach (var metric in metrics)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var labels = Labels(point.Tags);
                switch (first.MetricType)
                {
                    case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                        Sample(points, name, labels, null, point.GetSumLong());
                        break;
                    case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                        Sample(points, name, labels, null, point.GetSumDouble());
                        break;
                    case MetricType.LongGauge:
                        Sample(points, name, labels, null, point.GetGaugeLastValueLong());
                        break;
                    case MetricType.DoubleGauge:
                        Sample(points, name, labels, null, point.GetGaugeLastValueDouble());
                        break;
                    case MetricType.Histogram:
                        long cumulative = 0;
                        foreach (var bucket in point.GetHistogramBuckets())
                        {
                            cumulative += bucket.BucketCount;
                            Sample(points, name + "_bucket", labels, Format(bucket.ExplicitBound), cumulative);
                        }

                        Sample(points, name + "_sum", labels, null, point.GetHistogramSum());
                        Sample(points, name + "_count", labels, null, point.GetHistogramCount());
                        break;
                }
            }
        }

        if (points.Length == 0)
        {
            return;
        }

        var help = string.IsNullOrEmpty(first.Description) ? first.Name : first.Description;
        text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        text.Append(points);
    }

    private static string Labels(ReadOnlyTagCollection tags)
    {
        if (tags.Count == 0)
        {
            return "";
        }

        var labels = new StringBuilder();
        foreach (var tag in tags)
        {
            labels.Append(labels.Length == 0 ? "" : ",");
            foreach (var c in tag.Key)
            {
                labels.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
            }

            labels.Append("=\"").Append(Escape(tag.Value)).Append('"');
        }

        return labels.ToString();
    }

    private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
            }

            text.Append('}');
        }

        text.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Escape(object? value)
    {
        var text = value switch
        {
            string s => s,
            null => "",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };
        return text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
