package dev.cipherlane.ipsec.ike.message;

/**
 * The 4-byte head shared by proposal and transform substructures (RFC 7296 sections 3.3.1 and
 * 3.3.2): a "last substructure" marker, a reserved byte and a length covering the whole
 * substructure. {@link #body} is limited to that length, so a substructure cannot read into
 * its neighbour, and the length is checked against both its fixed part and what is left.
 */
record Substructure(int marker, WireReader body) {
    static final int LAST = 0;

    static Substructure read(WireReader in, int fixedLength, String where) {
        int marker = in.u8(where + " header");
        in.u8(where + " header");
        int length = in.u16(where + " header");
        if (length < fixedLength) {
            throw new Malformation(where + " length " + length + " is below its " + fixedLength + "-byte fixed part");
        }
        if (length - 4 > in.remaining()) {
            throw new Malformation(where + " length " + length + " runs past its enclosing structure ("
                    + (in.remaining() + 4) + " bytes left)");
        }
        return new Substructure(marker, in.take(length - 4, where));
    }

    /**
     * The marker must be 0 on the last substructure and {@code more} (2 for proposals, 3 for
     * transforms) on every other one.
     */
    void checkMarker(int more, boolean last, String where) {
        if (marker != LAST && marker != more) {
            throw new Malformation(where + " has last-substructure marker " + marker + ", must be 0 (last) or "
                    + more + " (more)");
        }
        if ((marker == LAST) != last) {
            throw new Malformation(where + (last ? " is the last one but is marked 'more'"
                    : " is marked last but more follow"));
        }
    }
}
