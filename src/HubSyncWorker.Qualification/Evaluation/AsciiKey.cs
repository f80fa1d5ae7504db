using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace HubSyncWorker.Qualification.Evaluation;

/// <summary>
/// An ASCII string known at compile time, compared with text ignoring case (ordinal) four characters at a time.
/// </summary>
/// <remarks>
/// The key is stored lower-cased, with a mask holding 0x20 where its character is a letter. A text character t equals key
/// character k ignoring case exactly when <c>(t | mask) == lowered</c>: for a letter, t is its upper or lower case; otherwise
/// t is k itself; a non-ASCII t never passes (it stays above 0x7F), as no non-ASCII character equals an ASCII one ignoring
/// case. Four UTF-16 characters fit one 64-bit word, and OR works lane by lane, so one load, OR and compare checks four.
/// </remarks>
internal sealed class AsciiKey
{
    private readonly char[] _lowered;
    private readonly char[] _caseBits;

    private AsciiKey(string key)
    {
        Text = key;
        _lowered = key.ToLowerInvariant().ToCharArray();
        _caseBits = [.. key.Select(c => char.IsAsciiLetter(c) ? (char)0x20 : '\0')];
    }

    /// <summary>The key as given.</summary>
    public string Text { get; }

    /// <summary>The key's length.</summary>
    public int Length => _lowered.Length;

    /// <summary>An <see cref="AsciiKey"/> for <paramref name="key"/>, or null when it is not all ASCII.</summary>
    public static AsciiKey? TryCreate(string key) => System.Text.Ascii.IsValid(key) ? new AsciiKey(key) : null;

    /// <summary>Whether <paramref name="text"/> is the key, ignoring case.</summary>
    public bool EqualsIgnoreCase(ReadOnlySpan<char> text) => text.Length == _lowered.Length && StartsOfUnchecked(text);

    /// <summary>Whether <paramref name="text"/> starts with the key, ignoring case.</summary>
    public bool StartsOf(ReadOnlySpan<char> text) => text.Length >= _lowered.Length && StartsOfUnchecked(text);

    // text.Length >= Length.
    private bool StartsOfUnchecked(ReadOnlySpan<char> text)
    {
        var length = _lowered.Length;
        ref var t = ref MemoryMarshal.GetReference(text);
        ref var l = ref MemoryMarshal.GetArrayDataReference(_lowered);
        ref var m = ref MemoryMarshal.GetArrayDataReference(_caseBits);
        if (length >= 4)
        {
            // Whole words, then one more word ending at the key's last character (overlapping the previous one).
            var i = 0;
            for (; i <= length - 4; i += 4)
            {
                if ((Word(ref t, i) | Word(ref m, i)) != Word(ref l, i))
                {
                    return false;
                }
            }

            return i == length || (Word(ref t, length - 4) | Word(ref m, length - 4)) == Word(ref l, length - 4);
        }

        for (var i = 0; i < length; i++)
        {
            if ((Unsafe.Add(ref t, i) | Unsafe.Add(ref m, i)) != Unsafe.Add(ref l, i))
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Word(ref char start, int index) =>
        Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<char, byte>(ref Unsafe.Add(ref start, index)));
}
