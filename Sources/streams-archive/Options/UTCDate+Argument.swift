import ArgumentParser
import StreamsArchive

extension UTCDate: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
