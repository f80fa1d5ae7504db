using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// Builds the reason string in a stack buffer (growing into a pooled array only for very long reasons), so the only
/// allocation is the final string. Output is capped at <see cref="MaxLength"/> characters, far below HubSpot's 65,536.
/// </summary>
internal ref struct ReasonWriter
{
    public const int MaxLength = 4000;

    private Span<char> _buffer;
    private char[]? _rented;
    private int _length;

    public ReasonWriter(Span<char> initial)
    {
        _buffer = initial;
        _rented = null;
        _length = 0;
    }

    // The common case (the piece fits the buffer) is small enough to be inlined into the caller; growing and truncating are
    // out of line. A reason is some 20 appends, so the call and bounds-check overhead of each was a good part of its cost.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(string? text)
    {
        if (text is null)
        {
            return;
        }

        var length = _length;
        if ((uint)(length + text.Length) <= (uint)_buffer.Length)
        {
            text.CopyTo(_buffer[length..]);
            _length = length + text.Length;
        }
        else
        {
            AppendAfterGrowing(text);
        }
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_length + text.Length <= _buffer.Length)
        {
            text.CopyTo(_buffer[_length..]);
            _length += text.Length;
        }
        else
        {
            AppendAfterGrowing(text);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(char c)
    {
        var length = _length;
        if ((uint)length < (uint)_buffer.Length)
        {
            _buffer[length] = c;
            _length = length + 1;
        }
        else if (Grow(length + 1))
        {
            _buffer[_length++] = c;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(int value)
    {
        // Scores, points and counts are mostly below 100: one or two digits written in place (the same text as invariant
        // formatting); anything else goes through the general path.
        var length = _length;
        if ((uint)value < 100 && (uint)(length + 2) <= (uint)_buffer.Length)
        {
            if (value >= 10)
            {
                _buffer[length++] = (char)('0' + (value / 10));
            }

            _buffer[length] = (char)('0' + (value % 10));
            _length = length + 1;
            return;
        }

        AppendNumber(value);
    }

    /// <summary>Points with an explicit sign: "+25", "-40".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AppendSigned(int value)
    {
        if (value >= 0)
        {
            Append('+');
        }

        Append(value);
    }

    public void AppendDate(DateOnly date)
    {
        Span<char> text = stackalloc char[10];
        date.TryFormat(text, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        Append(text[..written]);
    }

    /// <summary>The text written so far.</summary>
    public readonly ReadOnlySpan<char> Written => _buffer[.._length];

    public override readonly string ToString() => new(_buffer[.._length]);

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private void AppendNumber(int value)
    {
        // Up to three digits, either sign, written in place; larger values are formatted.
        if (value is > -1000 and < 1000 && _length + 4 <= _buffer.Length)
        {
            if (value < 0)
            {
                _buffer[_length++] = '-';
                value = -value;
            }

            if (value >= 100)
            {
                _buffer[_length++] = (char)('0' + (value / 100));
            }

            if (value >= 10)
            {
                _buffer[_length++] = (char)('0' + (value / 10 % 10));
            }

            _buffer[_length++] = (char)('0' + (value % 10));
            return;
        }

        Span<char> digits = stackalloc char[12];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        Append(digits[..written]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AppendAfterGrowing(scoped ReadOnlySpan<char> text)
    {
        if (!Grow(_length + text.Length))
        {
            text = text[..(_buffer.Length - _length)];
        }

        text.CopyTo(_buffer[_length..]);
        _length += text.Length;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Grow(int needed)
    {
        if (_buffer.Length >= MaxLength)
        {
            return false;
        }

        var size = Math.Min(MaxLength, Math.Max(needed, _buffer.Length * 2));
        var next = ArrayPool<char>.Shared.Rent(size);
        _buffer[.._length].CopyTo(next);
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
        }

        _rented = next;
        _buffer = next.AsSpan(0, size);
        return needed <= size;
    }
}
