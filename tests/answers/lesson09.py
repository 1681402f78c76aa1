"""Answers to exercise 09's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

# the second regions of 09.q2 to 09.q5, as the solution writes them
Q2_PRINT = 'print("first non-finite op:", first_nonfinite_op(str(dump_dir)))'
Q3_PRINT = '''
print("standardise stops at:", nonfinite_op_type(tf.function(standardise, jit_compile=False),
                                                 tf.constant(x_train[:64])))
'''
Q4_CALLS = '''
for exponent in [1.0, 2.0, 3.0]:
    power(tf.constant([1.0, 2.0]), exponent)
print("graphs traced:", power.experimental_get_tracing_count())
'''
Q5_TRAIN = '''
fixed_history = train_fixed(make_classifier(), x_train, y_train, 4)
print("loss per epoch:", np.round(fixed_history.history["loss"], 3))
'''
Q6_FIT = '''
history = classifier(StandardiseFixed()).fit(x_train, y_train, batch_size=32, epochs=1, verbose=0)
print("one epoch, loss finite:", bool(np.isfinite(history.history["loss"][0])))
'''
Q6_FIT_BARE = 'print("not trained here: this layer fails or gives NaN in fit")'

# 09.q2: read the dump, keep the first trace for which `bad(health)` holds
FIRST_BAD = '''
with DebugDataReader(dump_root) as reader:
    reader.update()
    traces = reader.graph_execution_traces()
found = [trace for trace in traces if {bad}]
if found:
    return found[{which}].op_type, found[{which}].op_name
return None
'''


def _first_bad(bad="any(trace.debug_tensor_value[5:8])", which=0):
    return FIRST_BAD.format(bad=bad, which=which)


# 09.q3: the solution's body with one piece changed
NUMERICS = '''
tf.debugging.enable_check_numerics()
try:
    {call}
except tf.errors.InvalidArgumentError as error:
    {on_error}
    found = re.search(r'{pattern}', str(error))
    return found[1] if found else None
{after}
return None
'''


def _numerics(call="function(*args)", on_error="tf.debugging.disable_check_numerics()",
              pattern=r'(?:graph|eagerly-executing) op "(\w+)"',
              after="tf.debugging.disable_check_numerics()"):
    return NUMERICS.format(call=call, on_error=on_error, pattern=pattern, after=after)


# 09.q5: compile and fit with the given pieces
TRAIN = '''
{before}
model.compile(optimizer={optimizer}, loss={loss})
return model.fit(x, y, epochs={epochs}, batch_size={batch}, verbose=0)
'''


def _train(before="", optimizer="keras.optimizers.Adam(learning_rate=1e-2)",
           loss="keras.losses.SparseCategoricalCrossentropy(from_logits=True)", epochs="epochs",
           batch=64):
    return TRAIN.format(before=before, optimizer=optimizer, loss=loss, epochs=epochs, batch=batch)


ANSWERS = {
    "09.q1": [
        honest('''
tf.debugging.assert_rank(y_true, 1)
tf.debugging.assert_rank(y_pred, 1)
tf.debugging.assert_equal(tf.shape(y_true), tf.shape(y_pred))
tf.debugging.assert_type(y_pred, tf.float32)
return tf.reduce_mean((y_true - y_pred) ** 2)
''', "assert_rank and assert_equal on the shapes"),
        honest('''
tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))],
                           message="y_true and y_pred must be vectors of one length")
if y_pred.dtype != tf.float32:
    raise TypeError(f"y_pred is {y_pred.dtype}, not float32")
return keras.ops.mean(keras.ops.square(keras.ops.subtract(y_true, y_pred)))
''', "a dtype test by hand, keras.ops for the value"),
        honest('''
tf.debugging.assert_type(y_pred, tf.float32, message="y_pred must be float32")
tf.debugging.assert_shapes([(y_true, ["N"]), (y_pred, ["N"])])
return keras.losses.mean_squared_error(y_true, y_pred)
''', "dtype first, the Keras loss function"),
        honest('''
tf.debugging.assert_equal(tf.rank(y_true), 1)
tf.debugging.assert_equal(tf.rank(y_pred), 1)
tf.debugging.assert_equal(tf.size(y_true), tf.size(y_pred))
tf.debugging.assert_equal(y_pred.dtype, tf.float32)
return tf.math.reduce_mean(tf.math.squared_difference(y_true, y_pred))
''', "assert_equal on ranks, sizes and the dtype"),
        wrong('''
tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))])
return tf.reduce_mean(tf.square(y_true - tf.cast(y_pred, y_true.dtype)))
''', "casts instead of asserting the dtype", match="float64"),
        wrong('''
return tf.reduce_mean(tf.square(tf.reshape(y_true, [-1]) - tf.reshape(y_pred, [-1])))
''', "reshapes, hiding the bug", match=r"\(7, 1\)|shape"),
        wrong('''
tf.debugging.assert_rank(y_true, 1)
tf.debugging.assert_rank(y_pred, 1)
tf.debugging.assert_type(y_pred, tf.float32)
return tf.reduce_mean(tf.square(y_true - y_pred))
''', "ranks checked, lengths not: a length-1 prediction broadcasts", match="length"),
        wrong('''
y_pred = tf.squeeze(y_pred)
y_true = tf.squeeze(y_true)
tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))])
tf.debugging.assert_type(y_pred, tf.float32)
return tf.reduce_mean(tf.square(y_true - y_pred))
''', "squeezes before asserting", match=r"\(7, 1\)"),
        wrong('''
tf.debugging.assert_shapes([(y_pred, ("N",))])
tf.debugging.assert_type(y_pred, tf.float32)
return tf.reduce_mean(tf.square(y_true - y_pred))
''', "asserts the prediction's shape only", match="target"),
        wrong('''
if y_true.shape.rank != 1 or y_pred.shape.rank != 1 or y_true.shape != y_pred.shape:
    raise ValueError("both must be vectors of one length")
if y_pred.dtype != tf.float32:
    raise TypeError("not float32")
return tf.reduce_mean(tf.square(y_true - y_pred))
''', "Python checks of static shapes: blind inside a tf.function", match="tf.function"),
        wrong('''
tf.debugging.assert_shapes([(y_true, ("N",)), (y_pred, ("N",))])
tf.debugging.assert_type(y_pred, tf.float32)
return tf.reduce_sum(tf.square(y_true - y_pred))
''', "the sum instead of the mean", match="mean squared error"),
    ],
    "09.q2": [
        honest((_first_bad("trace.debug_tensor_value[5] + trace.debug_tensor_value[6] + "
                           "trace.debug_tensor_value[7] > 0"), Q2_PRINT),
               "sums the three counts, reader closed before searching"),
        honest(('''
HEALTH = ["id", "device", "dtype", "rank", "size", "neg_inf", "pos_inf", "nan", "negative",
          "zero", "positive"]
reader = DebugDataReader(dump_root)
reader.update()
for index, trace in enumerate(reader.graph_execution_traces()):
    health = dict(zip(HEALTH, trace.debug_tensor_value))
    if health["neg_inf"] or health["pos_inf"] or health["nan"]:
        return (trace.op_type, trace.op_name)
''', Q2_PRINT), "named health fields, no context manager"),
        honest(('''
with DebugDataReader(dump_root) as reader:
    reader.update()
    digests = reader.graph_execution_traces(digest=True)
    for digest in digests:
        value = reader.graph_execution_trace_to_tensor_value(digest)
        if np.any(np.asarray(value)[5:8] > 0):
            return digest.op_type, digest.op_name
    return None
''', Q2_PRINT), "digests, values read one by one"),
        honest(('''
with DebugDataReader(dump_root) as reader:
    reader.update()
    bad = next((t for t in reader.graph_execution_traces()
                if np.sum(t.debug_tensor_value[5:8]) > 0), None)
return None if bad is None else [bad.op_type, bad.op_name]
''', Q2_PRINT), "next() with a default, a list of two strings"),
        wrong((_first_bad(which=-1), Q2_PRINT), "the last bad op", match="not the first op"),
        wrong((_first_bad("trace.debug_tensor_value[7] > 0"), Q2_PRINT),
              "NaN counted, infinities not", match="not the first op|returned None"),
        wrong((_first_bad("trace.debug_tensor_value[5] > 0 or trace.debug_tensor_value[6] > 0"),
               Q2_PRINT), "infinities counted, NaN not", match="not the first op|returned None"),
        wrong((_first_bad("any(trace.debug_tensor_value[4:7])"), Q2_PRINT),
              "the wrong slots of FULL_HEALTH (size counted)", match="not the first op"),
        wrong(('''
with DebugDataReader(dump_root) as reader:
    for trace in reader.graph_execution_traces():
        if any(trace.debug_tensor_value[5:8]):
            return trace.op_type, trace.op_name
''', Q2_PRINT), "forgets reader.update(): nothing is read", match="returned None"),
        wrong(('return ("Log", "Log")', Q2_PRINT), "the lesson's answer, hard-coded",
              match="not the first op"),
        wrong((_first_bad().replace("found[0].op_type, found[0].op_name",
                                    "found[0].op_name, found[0].op_type"), Q2_PRINT),
              "name and type swapped", match="not the first op"),
    ],
    "09.q3": [
        honest((_numerics(pattern=r'op "([A-Za-z0-9_]+)"'), Q3_PRINT),
               "a looser pattern, checks off in each branch"),
        honest(('''
tf.debugging.enable_check_numerics()
try:
    function(*args)
    return None
except Exception as error:  # the numeric check raises InvalidArgumentError
    message = str(error)
    return message.split(' op "')[1].split('"')[0]
finally:
    tf.debugging.disable_check_numerics()
''', Q3_PRINT), "split instead of a regex, any exception"),
        honest(('''
op_type = None
tf.debugging.enable_check_numerics()
try:
    function(*args)
except tf.errors.InvalidArgumentError as error:
    op_type = re.findall(r'Detected Infinity or NaN in output \\d+ of \\S+ op "(\\w+)"',
                         error.message)[0]
tf.debugging.disable_check_numerics()
return op_type
''', Q3_PRINT), "re.findall on error.message, one exit"),
        wrong((_numerics(on_error="pass", after=""), Q3_PRINT),
              "never switches the checks off", match="still on"),
        wrong((_numerics(after=""), Q3_PRINT),
              "switches them off only when an error was raised", match="still on"),
        wrong((_numerics(call="function(args)"), Q3_PRINT),
              "passes the tuple of arguments as one argument", match="returned|raised"),
        wrong((_numerics(pattern=r'Graph name: "(\w+)"'), Q3_PRINT),
              "the graph's name instead of the op's type", match="returned"),
        wrong((_numerics(pattern=r'of graph op "(\w+)"'), Q3_PRINT),
              "reads only the message of graph ops, not of eager ones", match="returned"),
        wrong(('''
try:
    function(*args)
except tf.errors.InvalidArgumentError as error:
    return re.search(r'op "(\\w+)"', str(error))[1]
return None
''', Q3_PRINT), "never enables the checks", match="returned"),
    ],
    "09.q4": [
        honest(('''
@tf.function(input_signature=(tf.TensorSpec(shape=None, dtype=tf.float32),
                              tf.TensorSpec(shape=(), dtype=tf.float32)))
def power(x, exponent):
    return tf.pow(x, exponent)
''', Q4_CALLS), "a signature of any shape, tf.pow"),
        honest(('''
def _power(x, exponent):
    return tf.math.exp(exponent * tf.math.log(x))


power = tf.function(_power, input_signature=[tf.TensorSpec([None]), tf.TensorSpec([])])
''', Q4_CALLS), "tf.function called on a function, exp of a log"),
        honest(('''
@tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x"),
                              tf.TensorSpec([], tf.float32, name="exponent")],
             jit_compile=False, reduce_retracing=True)
def power(x, exponent):
    return keras.ops.power(x, exponent)
''', Q4_CALLS), "keras.ops.power, named specs"),
        wrong(('''
@tf.function
def power(x, exponent):
    return x ** exponent
''', Q4_CALLS), "no signature: a graph per exponent", match="retraces"),
        wrong(('''
@tf.function(input_signature=[tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.float32)])
def power(x, exponent):
    return x ** exponent
''', Q4_CALLS), "the length fixed to 3", match="raised|length"),
        wrong(('''
@tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)])
def power(x, exponent):
    return x ** 2.0
''', Q4_CALLS), "ignores the exponent", match=r"x \*\* exponent"),
        wrong(('''
_graph = tf.function(lambda x, e: x ** e)


def power(x, exponent):
    return _graph(x, tf.constant(exponent))
''', Q4_CALLS), "a Python function around a tf.function", match="not a tf.function"),
        wrong(('''
@tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.int32)])
def power(x, exponent):
    return x ** tf.cast(exponent, tf.float32)
''', Q4_CALLS), "the exponent declared an integer", match="raised|x \\*\\* exponent"),
        wrong(('''
@tf.function(reduce_retracing=True)
def power(x, exponent):
    return x ** exponent
''', Q4_CALLS), "reduce_retracing alone: Python floats still retrace", match="retraces"),
    ],
    "09.q5": [
        honest((_train(before="for layer in model.layers:\n    layer.trainable = True",
                       optimizer="keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)",
                       batch=32),
                Q5_TRAIN), "SGD with momentum, batches of 32, every layer unfrozen explicitly"),
        honest((_train(optimizer='"rmsprop"',
                       loss="lambda labels, logits: keras.losses.sparse_categorical_crossentropy("
                            "labels, logits, from_logits=True)"), Q5_TRAIN),
               "RMSprop by name, the loss as a function"),
        honest(('''
model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x, y, epochs=epochs, batch_size=64, validation_split=0.1, verbose=0)
return history
''', Q5_TRAIN), "metrics and a validation split"),
        wrong(('''
model.layers[0].trainable = False
model.compile(optimizer=keras.optimizers.SGD(learning_rate=5.0),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False))
return model.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
''', Q5_TRAIN), "the given function unchanged", match="loss|NaN|finite"),
        wrong((_train(loss="keras.losses.SparseCategoricalCrossentropy(from_logits=False)"),
               Q5_TRAIN), "learning rate and freeze fixed, from_logits=False kept",
              match="logits"),
        wrong((_train(loss='"sparse_categorical_crossentropy"'), Q5_TRAIN),
              "the loss by name: it expects probabilities", match="logits"),
        wrong((_train(before="model.layers[0].trainable = False"), Q5_TRAIN),
              "the frozen layer kept", match="did not change"),
        wrong((_train(optimizer="keras.optimizers.SGD(learning_rate=5.0)"), Q5_TRAIN),
              "the learning rate of 5 kept", match="loss|NaN|finite|held-out"),
        wrong(('''
clone = keras.models.clone_model(model)
clone.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
return clone.fit(x, y, epochs=epochs, batch_size=64, verbose=0)
''', Q5_TRAIN), "trains a copy, not the model given", match="what fit returns|model"),
    ],
    "09.q6": [
        honest(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) / tf.sqrt(variance + 1e-6)
''', Q6_FIT), "tf.nn.moments over the last axis, an epsilon under the square root"),
        honest(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, inputs):
        mean = keras.ops.mean(inputs, axis=1, keepdims=True)
        deviation = keras.ops.std(inputs, axis=1, keepdims=True)
        safe = keras.ops.where(deviation > 0, deviation, keras.ops.ones_like(deviation))
        return keras.ops.where(deviation > 0, (inputs - mean) / safe, keras.ops.zeros_like(inputs))
''', Q6_FIT), "keras.ops, a where around a deviation of 0"),
        honest(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        columns = tf.transpose(x)  # features × batch: the bug's broadcasting now lines up
        centred = columns - tf.reduce_mean(columns, axis=0)
        return tf.transpose(centred / (tf.math.reduce_std(columns, axis=0) + 1e-6))
''', Q6_FIT), "transposes instead of keepdims, an epsilon added to the deviation"),
        honest(('''
class StandardiseFixed(keras.layers.LayerNormalization):
    def __init__(self, **kwargs):
        super().__init__(axis=-1, center=False, scale=False, epsilon=1e-4, **kwargs)
''', Q6_FIT), "a LayerNormalization without scale or centre"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        centred = x - tf.reduce_mean(x, axis=1)
        return centred / tf.math.reduce_std(x, axis=1)
''', Q6_FIT_BARE), "the given layer unchanged", match="Incompatible shapes|raised"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        centred = x - tf.reduce_mean(x, axis=0, keepdims=True)
        return tf.math.divide_no_nan(centred, tf.math.reduce_std(x, axis=0, keepdims=True))
''', Q6_FIT), "each feature standardised over the batch", match="other examples in its batch"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        centred = x - tf.reduce_mean(x, axis=1, keepdims=True)
        return centred / tf.math.reduce_std(x, axis=1, keepdims=True)
''', Q6_FIT_BARE), "keepdims, but a constant example divided by 0", match="NaN"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        centred = x - tf.reduce_mean(x, axis=1, keepdims=True)
        return tf.math.divide_no_nan(centred, tf.math.reduce_std(x, axis=1))
''', Q6_FIT_BARE), "keepdims on the mean only", match="raised|not scaled"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        return tf.math.divide_no_nan(x - tf.reduce_mean(x), tf.math.reduce_std(x))
''', Q6_FIT), "one mean and deviation for the whole batch", match="other examples in its batch"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        values = x.numpy()
        deviation = values.std(axis=1, keepdims=True)
        centred = values - values.mean(axis=1, keepdims=True)
        return tf.constant(np.divide(centred, deviation, out=np.zeros_like(centred),
                                     where=deviation > 0))
''', Q6_FIT_BARE), "NumPy inside call: right eagerly, fails in a graph",
              match="predict|symbolic|raised"),
        wrong(('''
class StandardiseFixed(keras.layers.Layer):
    def call(self, x):
        centred = x - tf.reduce_mean(x, axis=1, keepdims=True)
        return centred / (tf.math.reduce_std(x, axis=1, keepdims=True) + 0.1)
''', Q6_FIT), "an epsilon so large the deviation is not 1", match="not scaled"),
    ],
}
