package io.paraflow.pattern;

/** A master for tests: submits every input as a task and hands every result to a handler. */
final class ForwardingMaster implements Master<Long, Long, Long, Long> {

    @FunctionalInterface
    interface ResultHandler {
        void handle(Long result, MasterContext<Long, Long> context) throws Exception;
    }

    private final ResultHandler onResult;

    ForwardingMaster(ResultHandler onResult) {
        this.onResult = onResult;
    }

    @Override
    public void input(Long item, MasterContext<Long, Long> context) {
        context.submit(item);
    }

    @Override
    public void result(Long result, MasterContext<Long, Long> context) throws Exception {
        onResult.handle(result, context);
    }
}
