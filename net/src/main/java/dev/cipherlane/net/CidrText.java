package dev.cipherlane.net;

/** Splits "address/length" text, shared by route prefixes and interface addresses. */
record CidrText(IpAddress address, int length) {

    /**
     * @param shape what the whole text should look like, used when it has no '/' at all
     */
    static CidrText parse(String text, String shape) {
        int slash = text.indexOf('/');
        if (slash < 0 || slash != text.lastIndexOf('/')) {
            throw new ValueFormatException(shape, text);
        }
        IpAddress address;
        try {
            address = IpAddress.parse(text.substring(0, slash));
        } catch (ValueFormatException e) {
            // Report the whole text: the operator wrote "a/n", not just "a".
            throw new ValueFormatException(e.expected(), text);
        }
        IpFamily family = address.family();
        String digits = text.substring(slash + 1);
        String lengthRule = "an " + family + " prefix length in 0.." + family.bits();
        boolean decimal = !digits.isEmpty() && digits.length() <= 3
                && digits.chars().allMatch(c -> c >= '0' && c <= '9')
                && (digits.length() == 1 || digits.charAt(0) != '0');
        if (!decimal) {
            throw new ValueFormatException(lengthRule, text);
        }
        int length = Integer.parseInt(digits);
        if (length > family.bits()) {
            throw new ValueFormatException(lengthRule, text);
        }
        return new CidrText(address, length);
    }
}
