using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Prometheus;

namespace HubSyncWorker.Diagnostics;

/// <summary>
/// Publishes this host's <c>HubSyncWorker.*</c> meters in Prometheus form under the instrument's own name (<c>hubsync.webhook.events</c>
/// becomes <c>hubsync_webhook_events_total</c>; a unit of seconds adds <c>_seconds</c>). prometheus-net's built-in meter adapter would
/// prefix the meter name (<c>hubsyncworker_webhooks_hubsync_webhook_events</c>), so it is told to skip these meters.
/// Only meters created by this host's <see cref="IMeterFactory"/> are listened to, into this host's own registry: two hosts in one
/// process (tests) never count each other's measurements.
/// </summary>
internal sealed class PrometheusMeterBridge : IDisposable
{
    public const string MeterPrefix = "HubSyncWorker.";

    private readonly MeterListener _listener = new();
    private readonly IMeterFactory _meterFactory;
    private readonly MetricFactory _metrics;

    public PrometheusMeterBridge(IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory;
        Registry = global::Prometheus.Metrics.NewCustomRegistry();
        _metrics = global::Prometheus.Metrics.WithCustomRegistry(Registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (IsOurs(instrument))
            {
                listener.EnableMeasurementEvents(instrument, new BridgedInstrument(instrument, _metrics));
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((BridgedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((BridgedInstrument)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((BridgedInstrument)state!).Record(value, tags));
        _listener.Start();
        Registry.AddBeforeCollectCallback(_listener.RecordObservableInstruments);
    }

    /// <summary>The registry holding this host's <c>hubsync_*</c> series.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>True for the worker's own meters (whatever host created them); the default adapter skips these.</summary>
    public static bool IsWorkerMeter(Meter meter) => meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal);

    /// <summary>The Prometheus name of an instrument.</summary>
    internal static string PrometheusName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 8);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        if (instrument.Unit == "s" && !instrument.Name.EndsWith("seconds", StringComparison.Ordinal))
        {
            name.Append("_seconds");
        }

        if (IsCounter(instrument))
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private bool IsOurs(Instrument instrument) => IsWorkerMeter(instrument.Meter) && ReferenceEquals(instrument.Meter.Scope, _meterFactory);

    private static bool IsCounter(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() is var definition
        && (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>));

    /// <summary>One instrument and its Prometheus metric, created at the first measurement (when the label names are known).</summary>
    private sealed class BridgedInstrument(Instrument instrument, MetricFactory metrics)
    {
        private readonly Lock _gate = new();
        private readonly Type _definition = instrument.GetType().GetGenericTypeDefinition();
        private Binding? _binding;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var (metric, labels, keys) = BindingFor(tags);
            var values = new string[labels.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                // Instruments record their tags in the same order every time: position i is checked first, then the rest.
                values[i] = i < tags.Length && string.Equals(tags[i].Key, keys[i], StringComparison.Ordinal)
                    ? Format(tags[i].Value)
                    : FindValue(tags, keys[i]);
            }

            switch (metric)
            {
                case Counter counter when _definition == typeof(ObservableCounter<>):
                    counter.WithLabels(values).IncTo(value);
                    break;
                case Counter counter:
                    counter.WithLabels(values).Inc(value);
                    break;
                case Histogram histogram:
                    histogram.WithLabels(values).Observe(value);
                    break;
                case Gauge gauge when _definition == typeof(UpDownCounter<>):
                    gauge.WithLabels(values).Inc(value);
                    break;
                case Gauge gauge:
                    gauge.WithLabels(values).Set(value);
                    break;
            }
        }

        private static string Format(object? value) => value switch
        {
            string text => text,
            null => "",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

        private static string FindValue(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, key, StringComparison.Ordinal))
                {
                    return Format(tag.Value);
                }
            }

            return "";
        }

        private Binding BindingFor(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Volatile.Read(ref _binding) is { } bound)
            {
                return bound;
            }

            lock (_gate)
            {
                if (_binding is { } raced)
                {
                    return raced;
                }

                var labels = new string[tags.Length];
                var keys = new string[tags.Length];
                for (var i = 0; i < tags.Length; i++)
                {
                    keys[i] = tags[i].Key;
                    labels[i] = Sanitize(tags[i].Key);
                }

                // Instruments always record the same tag names; a later extra tag is dropped, a missing one is an empty label.
                var name = PrometheusName(instrument);
                var help = instrument.Description ?? instrument.Name;
                Collector metric = _definition == typeof(Counter<>) || _definition == typeof(ObservableCounter<>)
                    ? metrics.CreateCounter(name, help, labels)
                    : _definition == typeof(Histogram<>)
                        ? metrics.CreateHistogram(name, help, labels, BucketsFor(instrument))
                        : metrics.CreateGauge(name, help, labels);
                var binding = new Binding(metric, labels, keys);
                Volatile.Write(ref _binding, binding);
                return binding;
            }
        }

        /// <summary>The Prometheus metric, its label names, and the instrument's tag keys they came from (same order).</summary>
        private sealed record Binding(Collector Metric, string[] Labels, string[] Keys);

        private static HistogramConfiguration BucketsFor(Instrument instrument) => new()
        {
            // Seconds from 1 ms to about 2 minutes: rate-budget waits, queue latency.
            Buckets = instrument.Unit == "s" ? Histogram.ExponentialBuckets(0.001, 2, 18) : Histogram.ExponentialBuckets(1, 2, 16),
        };

        private static string Sanitize(string key)
        {
            var label = new StringBuilder(key.Length);
            foreach (var c in key)
            {
                label.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
            }

            return label.ToString();
        }
    }
}
