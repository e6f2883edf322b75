import NIOCore
import Synchronization

/// Keeps the connections served at once under a cap: a connection accepted beyond it is closed as soon as it is
/// active, before a byte of it is read (its client sees the connection closed; HeyGen delivers again later).
///
/// One handler per connection, all sharing one ``Count``.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The connections open, shared by every connection's handler.
    final class Count: Sendable {
        /// The most connections open at once.
        let maximum: Int
        private let openCount = Atomic(0)

        /// A count of no connection, allowing at most `maximum` (at least 1).
        init(maximum: Int) {
            self.maximum = max(1, maximum)
        }

        /// Counts one more connection if there is room for it; false at the cap.
        func admit() -> Bool {
            var current = openCount.load(ordering: .relaxed)
            while current < maximum {
                let (exchanged, original) = openCount.compareExchange(
                    expected: current, desired: current + 1, ordering: .relaxed)
                if exchanged { return true }
                current = original
            }
            return false
        }

        /// Counts one connection fewer.
        func release() {
            openCount.subtract(1, ordering: .relaxed)
        }
    }

    private let count: Count
    private let onRefusal: @Sendable (Count) -> Void
    private var decided = false
    private var admitted = false

    /// A handler counting its connection in `count`, calling `onRefusal` when it closes it for want of room.
    init(count: Count, onRefusal: @escaping @Sendable (Count) -> Void) {
        self.count = count
        self.onRefusal = onRefusal
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { decide(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !decided { decide(context) }
        // A refused connection is closed already: the handlers after this one never see it active.
        if admitted { context.fireChannelActive() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseSlot()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        releaseSlot()
    }

    /// Admits the connection if there is room, else closes it.
    private func decide(_ context: ChannelHandlerContext) {
        decided = true
        admitted = count.admit()
        if !admitted {
            onRefusal(count)
            context.close(promise: nil)
        }
    }

    private func releaseSlot() {
        guard admitted else { return }
        admitted = false
        count.release()
    }
}
