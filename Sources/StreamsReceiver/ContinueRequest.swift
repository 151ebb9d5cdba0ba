import StreamsArchive

/// A user outbound event the responder sends down its connection when it is about to read a request body: if that
/// request carries `Expect: 100-continue` and its body has not arrived, `HTTP1RulesHandler` answers
/// `100 Continue` so that the client sends it. Sent anywhere else, it is ignored.
struct ContinueRequest: Sendable {}
