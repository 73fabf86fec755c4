"""The Redis broker transport, with one repair: a worker survives losing Redis mid-task.

What went wrong (kombu 5.x's Redis transport under Celery's consumer): when the broker
connection drops while an acks-late task is running, the consumer calls
`Connection.collect()` and then `Connection.close()`. `collect()` closes the channel, but the
channel's close stops early (reading the interrupted BRPOP raises a connection error, which
`collect()` swallows) and `collect()` then detaches the transport from its connection
(`transport.client = None`). `close()` closes the channel again; this time it gets as far as
putting the unacknowledged message back on the queue, builds a new Redis connection pool for
that, and reads the broker's address from `transport.client`, now None:
`AttributeError: 'NoneType' object has no attribute 'hostname'`. That is not a connection
error, so nothing ignores it: the worker logs "Unrecoverable error" and exits, and does not
reconnect when Redis returns. An idle worker has no unacknowledged message and survives.

The repair, at the level where the address went missing: each channel keeps the connection
(broker address and options) it was opened on and uses it when the transport has been
detached. The restore then fails as what it is — a connection error while Redis is down,
which the consumer ignores before reconnecting — or succeeds if Redis is back; the message
itself stays in Redis's unacked set until the task acknowledges it or the visibility timeout
gives it to another worker, as before.

config/settings.py selects this transport for redis:// broker URLs (CELERY_BROKER_TRANSPORT).
"""

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, connection, *args, **kwargs):
        # The kombu Connection (address, credentials, options) this channel belongs to.
        self._opened_on = connection.client
        super().__init__(connection, *args, **kwargs)

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport.client is not None or self._opened_on is None:
            return super()._connparams(asynchronous=asynchronous)
        # Detached by Connection.collect(): read the parameters from the connection this
        # channel was opened on, then leave the transport as collect() left it.
        transport.client = self._opened_on
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel
