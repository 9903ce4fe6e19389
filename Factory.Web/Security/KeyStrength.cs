namespace Factory.Web.Security;

/// <summary>
/// A conservative estimate of a key's entropy for <c>hash-key</c>: its length times log2 of the alphabet of the character
/// classes it uses (lower-case 26, upper-case 26, digits 10, anything else 33). A random key scores about its true
/// entropy; a word with a digit appended scores more than it deserves, so the bar is set high.
/// </summary>
public static class KeyStrength
{
    /// <summary>Keys scoring less are refused by <c>hash-key</c>.</summary>
    public const double MinimumBits = 128;

    public static double EstimateBits(string key)
    {
        bool lower = false, upper = false, digit = false, other = false;
        foreach (var c in key)
        {
            if (char.IsAsciiLetterLower(c)) lower = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiDigit(c)) digit = true;
            else other = true;
        }

        var alphabet = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (other ? 33 : 0);
        return alphabet <= 1 ? 0 : key.Length * Math.Log2(alphabet);
    }

    /// <summary>The <c>hash-key</c> command: prints the hash of a strong key, or explains why the key is refused.</summary>
    public static int HashKeyCommand(string key, TextWriter output, TextWriter error)
    {
        var bits = EstimateBits(key);
        if (bits < MinimumBits)
        {
            error.WriteLine($"Refused: this key has about {bits:0} bits of entropy; at least {MinimumBits:0} are needed " +
                "(length x log2 of the alphabet of its character classes). Generate one, e.g. openssl rand -base64 32.");
            return 2;
        }

        output.WriteLine(ApiKeyEntry.HashKey(key));
        return 0;
    }
}
