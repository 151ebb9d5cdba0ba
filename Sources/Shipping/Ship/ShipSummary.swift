/// What a `ship` run did; the command line prints it as one line and turns it into an exit code.
package struct ShipSummary: Sendable {
    /// Directories (hours, reports, rejected input) shipped and recorded in this run.
    package var shipped = 0
    /// Events in the sealed hours shipped and recorded in this run (their manifests' counts).
    package var events = 0
    /// Directories whose record already covered what they hold.
    package var alreadyShipped = 0
    /// Hours with data that are not sealed yet (shipped once sealed).
    package var notSealed = 0
    /// Objects created, and objects found already in the bucket with the same bytes (a killed run's).
    package var uploaded = 0
    package var alreadyThere = 0
    package var bytesUploaded: Int64 = 0
    /// Objects of earlier versions removed once their replacements were confirmed.
    package var superseded = 0
    /// Whether any object was confirmed by reading it back (the store returned no checksum).
    package var readBack = false
    /// Whether any object was confirmed by the store's own checksum.
    package var storeChecksum = false
    /// Directories that failed, with why; nothing of them was recorded.
    package var failures: [(unit: String, message: String)] = []
    /// Objects in the bucket whose bytes differ from the local file; never replaced, never recorded.
    package var mismatches: [(key: String, detail: String)] = []

    /// How the objects were confirmed, for the summary and the records.
    package var checkedBy: String {
        switch (storeChecksum, readBack) {
        case (true, true): "store checksum and read back"
        case (false, true): "read back"
        case (true, false): "store checksum"
        case (false, false): "nothing to check"
        }
    }
}
