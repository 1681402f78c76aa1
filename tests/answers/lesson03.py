"""Answers to exercise 03's questions: honest ones written differently, and typical mistakes.

The checks play training runs whose metrics they choose (03.q1, 03.q3), call the schedule
and drive Keras's LearningRateScheduler with it (03.q2), save and reload a probe model with
BatchNormalization and Dropout (03.q4), and train with the student's function (03.q5).
"""
from answer_fixtures import honest, wrong

# 03.q4 has three regions: save_and_reload's body, copy_weights's body, and the comparison.
COMPARE = """\
copy = save_and_reload(model, folder)
gap = np.abs(model.predict(x_test, verbose=0) - copy.predict(x_test, verbose=0)).max()
print("largest difference:", gap)
"""
SAVE = """\
path = Path(folder) / "model.keras"
model.save(path)
return keras.models.load_model(path)
"""
COPY = """\
path = Path(folder) / "model.weights.h5"
model.save_weights(path)
other.load_weights(path)
"""

# Run through the solution notebook (tests/answer_fixtures.py), and graded by k2tf grade.
ANSWERS = {
    "03.q1": [
        honest("""\
            checkpoint = keras.callbacks.ModelCheckpoint(filepath=str(folder / "best.keras"),
                                                         save_best_only=True)
            stopping = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
            return [checkpoint, stopping]
            """, "defaults for monitor (val_loss), checkpoint first, a str path"),
        honest("""\
            class StopAfterThree(keras.callbacks.Callback):
                # early stopping written by hand: 3 epochs without a new low, then restore
                def on_train_begin(self, logs=None):
                    self.best, self.wait, self.best_weights = float("inf"), 0, None

                def on_epoch_end(self, epoch, logs=None):
                    if logs["val_loss"] < self.best:
                        self.best, self.wait = logs["val_loss"], 0
                        self.best_weights = self.model.get_weights()
                    else:
                        self.wait += 1
                        if self.wait >= 3:
                            self.model.stop_training = True
                            self.model.set_weights(self.best_weights)

            return [StopAfterThree(),
                    keras.callbacks.ModelCheckpoint(f"{folder}/best.keras", save_best_only=True)]
            """, "a hand-written early stopping that restores when it stops"),
        honest("""\
            class SaveBest(keras.callbacks.Callback):
                # a hand-written checkpoint: save the whole model at each new low
                def __init__(self, path):
                    super().__init__()
                    self.path, self.best = path, None

                def on_epoch_end(self, epoch, logs=None):
                    if self.best is None or logs["val_loss"] < self.best:
                        self.best = logs["val_loss"]
                        self.model.save(self.path)

            return [keras.callbacks.EarlyStopping("val_loss", patience=3, verbose=1,
                                                  restore_best_weights=True),
                    SaveBest(Path(folder) / "best.keras")]
            """, "a hand-written checkpoint, EarlyStopping with verbose=1"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
            """, "a patience of 5 where the question says 3", match=r"(?i)5 epochs|patience"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
            """, "a patience of 2: stops at a short bump", match=r"(?i)only 2 epochs|patience"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor="val_accuracy",
                                                    save_best_only=True)]
            """, "watches the validation accuracy, not the validation loss",
              match=r"(?i)epochs? after|did not stop|new low"),
    ],
    "03.q2": [
        honest("return learning_rate / 2 if epoch >= 3 else learning_rate",
               "a conditional expression, dividing by 2"),
        honest("return float(np.where(epoch < 3, learning_rate, 0.5 * learning_rate))",
               "np.where, converted to float"),
        honest("return np.float32(learning_rate) * np.float32(1.0 if epoch < 3 else 0.5)",
               "a NumPy float32, which Keras accepts"),
        wrong("return learning_rate if epoch < 3 else learning_rate * 0.5 ** (epoch - 2)",
              "halves the current rate more and more (the rate given is already halved)",
              match=r"was expected"),
        wrong("""\
            if epoch == 0:
                schedule.first = learning_rate
            return schedule.first if epoch < 3 else schedule.first / 2
            """, "halves the first rate once, then stays there", match=r"was expected"),
        wrong("return np.where(epoch < 3, learning_rate, learning_rate / 2)",
              "a NumPy array, which Keras refuses", match=r"float"),
    ],
    "03.q3": [
        honest("""\
            def __init__(self, target):
                super().__init__()
                self.goal = float(target)

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                logs = logs or {}
                if self.stopped_epoch is None and logs.get("val_accuracy", 0.0) >= self.goal:
                    self.stopped_epoch = int(epoch)
                    self.model.stop_training = True
            """, "another attribute name, logs.get, a guard"),
        honest("""\
            def __init__(self, target):
                self.target = target
                self.stopped_epoch = None

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                reached = logs["val_accuracy"] >= self.target
                self.model.stop_training = reached
                if reached:
                    self.stopped_epoch = epoch
            """, "no super().__init__(), stop_training set every epoch"),
        honest("""\
            def __init__(self, target):
                super().__init__()
                self.target = target
                self.stopped_epoch = None

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_begin(self, epoch, logs=None):
                self.current_epoch = epoch

            def on_epoch_end(self, epoch, logs=None):
                if np.greater_equal(logs["val_accuracy"], self.target):
                    self.model.stop_training = True
                    self.stopped_epoch = self.current_epoch

            def on_train_end(self, logs=None):
                if self.stopped_epoch is not None:
                    print(f"reached {self.target:.0%} at epoch {self.stopped_epoch}")
            """, "the epoch kept from on_epoch_begin, NumPy comparison, a message at the end"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] >= self.target:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "stopped_epoch reset only in __init__: stale on a second fit",
              match=r"(?i)second|again|begins"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] > self.target:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "> instead of >=: an accuracy equal to the target does not stop",
              match=r"(?i)at least|equal"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["accuracy"] >= self.target:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "watches the training accuracy", match=r"(?i)before|val_accuracy"),
    ],
    "03.q4": [
        honest(("""\
            import os
            path = os.path.join(folder, "copy.keras")
            keras.saving.save_model(model, path)
            return keras.saving.load_model(path)
            """, """\
            target = str(folder / "digits.weights.h5")
            model.save_weights(target)
            other.load_weights(target)
            """, COMPARE), "keras.saving functions, str paths"),
        honest(("""\
            import tensorflow as tf
            model.save(f"{folder}/whole_model.keras", overwrite=True)
            return tf.keras.models.load_model(f"{folder}/whole_model.keras")
            """, """\
            sub = Path(folder) / "weights"
            sub.mkdir(exist_ok=True)
            model.save_weights(sub / "m.weights.h5")
            other.load_weights(sub / "m.weights.h5")
            """, """\
            print("same predictions:", np.allclose(model(x_test), save_and_reload(model, folder)(x_test)))
            """), "f-strings, tf.keras, weights in a subfolder"),
        honest(("""\
            keras.models.save_model(model, Path(folder, "m.keras"))
            loaded = keras.models.load_model(Path(folder, "m.keras"), compile=True)
            return loaded
            """, """\
            file = Path(folder) / "only.weights.h5"
            model.save_weights(file, overwrite=True)
            other.load_weights(file)
            return other
            """, COMPARE), "keras.models.save_model, returns other too"),
        wrong((SAVE.replace("load_model(path)", "load_model(path, compile=False)"), COPY, COMPARE),
              "loads without compiling: the optimizer is lost", match=r"optimizer"),
        wrong((SAVE, COPY.replace("other.load_weights(path)",
                                  "other = keras.models.clone_model(model)\n"
                                  "other.load_weights(path)"), COMPARE),
              "rebinds `other` inside the function: the caller's model is unchanged",
              match=r"predict"),
        wrong((SAVE, """\
            model.save_weights(Path(folder) / "model.weights.h5")
            for mine, theirs in zip(other.trainable_weights, model.trainable_weights):
                mine.assign(theirs)
            """, COMPARE), "copies the trainable weights only (BatchNorm statistics are lost)",
              match=r"predict"),
    ],
    "03.q5": [
        honest("""\
            inputs = keras.Input(shape=(64,))
            hidden = keras.layers.Dense(settings.width, activation="relu")(inputs)
            logits = keras.layers.Dense(10)(hidden)
            net = keras.Model(inputs, logits)
            net.compile(optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                        metrics=["sparse_categorical_accuracy"])
            history = net.fit(x_train, y_train, validation_data=(x_val, y_val),
                              epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                              callbacks=callbacks)
            return history
            """, "functional model with logits, another metric name"),
        honest("""\
            net = keras.Sequential([keras.Input((64,)), keras.layers.Dense(settings.width),
                                    keras.layers.ReLU(), keras.layers.Dense(10),
                                    keras.layers.Softmax()])
            net.compile(keras.optimizers.Adam(settings.learning_rate),
                        "sparse_categorical_crossentropy", metrics=["accuracy"])
            net.fit(*digits.train, validation_data=tuple(digits.validation), shuffle=True,
                    epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                    callbacks=list(callbacks))
            return net.history
            """, "ReLU and Softmax layers, the digits tuples, model.history"),
        honest("""\
            class Net(keras.Model):
                def __init__(self, width):
                    super().__init__()
                    self.out = keras.layers.Dense(10, activation="softmax")
                    self.hidden = keras.layers.Dense(width)

                def call(self, x):
                    return self.out(keras.ops.relu(self.hidden(x)))

            net = Net(settings.width)
            net.compile(optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
                        loss="sparse_categorical_crossentropy")
            return net.fit(x_train, y_train, batch_size=settings.batch_size,
                           epochs=settings.epochs, validation_data=(x_val, y_val),
                           callbacks=callbacks, verbose=0)
            """, "subclassed, ReLU applied in call(), output layer created first, no metric"),
        wrong("""\
            net = make_model(width=settings.width, learning_rate=settings.learning_rate)
            return net.fit(x_train, y_train, validation_data=(x_test, y_test),
                           epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                           callbacks=callbacks)
            """, "validates on the test split", match=r"validation split"),
        wrong("""\
            net = keras.Sequential([keras.Input((64,)), keras.layers.Dense(settings.width),
                                    keras.layers.Dense(10, activation="softmax")])
            net.compile(keras.optimizers.Adam(settings.learning_rate),
                        "sparse_categorical_crossentropy", metrics=["accuracy"])
            return net.fit(x_train, y_train, validation_data=(x_val, y_val),
                           epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                           callbacks=callbacks)
            """, "forgets the ReLU: the hidden layer is linear", match=r"(?i)relu|activation"),
        wrong("""\
            net = keras.Sequential([keras.Input((64,)),
                                    keras.layers.Dense(settings.width, activation="relu"),
                                    keras.layers.Dense(10, activation="softmax")])
            net.compile(keras.optimizers.SGD(settings.learning_rate),
                        "sparse_categorical_crossentropy", metrics=["accuracy"])
            return net.fit(x_train, y_train, validation_data=(x_val, y_val),
                           epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                           callbacks=callbacks)
            """, "SGD instead of Adam", match=r"Adam"),
    ],
}

# More of the same kinds, run straight against the checks (the notebook's setup cell and
# the answer cell's definitions only, without its demonstration): cheap, so the lesson's
# tests stay fast (tests/test_checks_lesson03.py::test_more_answers).
MORE_ANSWERS = {
    "03.q1": [
        honest("""\
            import os
            return (keras.callbacks.EarlyStopping(monitor="val_loss", mode="min", patience=3,
                                                  min_delta=0.0, restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(os.path.join(folder, "best.keras"),
                                                    monitor="val_loss", mode="min",
                                                    save_best_only=True,
                                                    save_weights_only=False))
            """, "a tuple, explicit mode='min', os.path.join"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
            """, "forgets restore_best_weights", match=r"weights of the last epoch"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras")]
            """, "saves at every epoch (no save_best_only)",
              match=r"best.keras does not hold the model of the best epoch"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="loss", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
            """, "early stopping on the training loss", match=r"did not stop"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.h5", save_best_only=True)]
            """, "the legacy .h5 file, not best.keras", match=r"no file best.keras"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)]
            """, "saves in the working directory, not in folder", match=r"no file best.keras"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, min_delta=0.01,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
            """, "a min_delta: a small new low does not count", match=r"(?i)new low"),
        wrong("""\
            return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                                  restore_best_weights=True),
                    keras.callbacks.ModelCheckpoint(folder / "best.keras", monitor="loss",
                                                    save_best_only=True)]
            """, "the checkpoint watches the training loss",
              match=r"best.keras does not hold the model of the best epoch"),
    ],
    "03.q2": [
        honest("""\
            if epoch <= 2:
                return float(learning_rate)
            return float(learning_rate) * 0.5
            """, "an if statement with epoch <= 2"),
        honest("return learning_rate * 0.5 ** (epoch >= 3)", "a power of a boolean"),
        wrong("return 0.01 if epoch < 3 else 0.005", "hard-coded rates", match=r"was expected"),
        wrong("return learning_rate if epoch <= 3 else learning_rate / 2",
              "keeps the rate one epoch too long", match=r"was expected"),
        wrong("return learning_rate if epoch < 2 else learning_rate / 2",
              "halves one epoch too early", match=r"was expected"),
        wrong("return learning_rate * 0.5 ** (epoch // 3)",
              "halves every third epoch only", match=r"was expected"),
    ],
    "03.q3": [
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target
                self.reached = False

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if not self.reached and logs["val_accuracy"] >= self.target:
                    self.reached = True
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "a flag set once and never reset: a second fit never stops",
              match=r"(?i)went on|second|again"),
        honest("""\
            def __init__(self, target, monitor="val_accuracy"):
                super().__init__()
                self.target, self.monitor = target, monitor
                self.stopped_epoch = None

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if self.model.stop_training:
                    return
                if not logs[self.monitor] < self.target:
                    self.model.stop_training = True
                    self.stopped_epoch = epoch
            """, "a monitor argument with val_accuracy as default"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] >= self.target and self.stopped_epoch is None:
                    self.stopped_epoch = epoch
            """, "records the epoch but never stops", match=r"went on"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] >= self.target:
                    self.stopped_epoch = epoch + 1
                    self.model.stop_training = True
            """, "a 1-based epoch number", match=r"stopped_epoch"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                self.stopped_epoch = epoch
                if logs["val_accuracy"] >= self.target:
                    self.model.stop_training = True
            """, "stopped_epoch set at every epoch", match=r"stopped_epoch"),
        wrong("""\
            def __init__(self, target):
                super().__init__()

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] >= 0.9:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "ignores the target", match=r"(?i)target"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = 0

            def on_epoch_end(self, epoch, logs=None):
                if logs["val_accuracy"] >= self.target:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
            """, "stopped_epoch starts at 0, like EarlyStopping's", match=r"None"),
        wrong("""\
            def __init__(self, target):
                super().__init__()
                self.target = target

            def on_train_begin(self, logs=None):
                self.stopped_epoch = None
                self.reached = False

            def on_epoch_begin(self, epoch, logs=None):
                if self.reached:
                    self.model.stop_training = True

            def on_epoch_end(self, epoch, logs=None):
                if not self.reached and logs["val_accuracy"] >= self.target:
                    self.reached = True
                    self.stopped_epoch = epoch
            """, "asks to stop at the start of the next epoch: one epoch too many",
              match=r"went on"),
    ],
    "03.q4": [
        wrong((SAVE.replace("return keras.models.load_model(path)", "return model"), COPY, COMPARE),
              "returns the original model", match=r"same model object"),
        wrong((SAVE.replace("return keras.models.load_model(path)",
                            "return keras.models.clone_model(model)"), COPY, COMPARE),
              "returns a clone: the architecture without the weights", match=r"predict"),
        wrong((SAVE.replace("model.keras", "model.h5"), COPY, COMPARE),
              "the legacy HDF5 format", match=r"\.keras"),
        wrong((SAVE, COPY.replace("other.load_weights(path)", ""), COMPARE),
              "saves the weights but never loads them", match=r"predict"),
        wrong((SAVE, """\
            model.save(Path(folder) / "model.keras")
            other.set_weights(keras.models.load_model(Path(folder) / "model.keras").get_weights())
            """, COMPARE), "saves the whole model instead of the weights",
              match=r"whole model|weights.h5"),
        wrong((SAVE, """\
            path = Path(folder) / "model.weights.h5"
            other.save_weights(path)
            model.load_weights(path)
            """, COMPARE), "copies in the wrong direction", match=r"predict|changed"),
    ],
    "03.q5": [
        honest("""\
            import tensorflow as tf
            train = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                     .shuffle(len(x_train), seed=1).batch(settings.batch_size))
            net = keras.Sequential([keras.Input((64,)),
                                    keras.layers.Dense(settings.width, activation=tf.nn.relu),
                                    keras.layers.Dropout(0.1),
                                    keras.layers.Dense(10, activation="softmax")])
            net.compile(optimizer=keras.optimizers.Adam(settings.learning_rate),
                        loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            return net.fit(train, validation_data=(x_val, y_val), epochs=settings.epochs,
                           verbose=0, callbacks=callbacks)
            """, "a tf.data pipeline that batches, tf.nn.relu, Dropout"),
        wrong("""\
            net = make_model(width=settings.width, learning_rate=settings.learning_rate)
            return net.fit(x_train, y_train, validation_split=0.2, epochs=settings.epochs,
                           batch_size=settings.batch_size, verbose=0, callbacks=callbacks)
            """, "holds out part of the training split instead of the validation data",
              match=r"(?i)steps|validation split"),
        wrong("""\
            net = make_model(width=settings.width, learning_rate=settings.learning_rate)
            return net.fit(x_train, y_train, validation_data=(x_val, y_val),
                           epochs=settings.epochs, batch_size=settings.batch_size, verbose=0)
            """, "never passes the callbacks", match=r"never ran"),
        wrong("""\
            net = make_model(width=settings.width, learning_rate=settings.learning_rate)
            return net.fit(x_train, y_train, validation_data=(x_val, y_val),
                           epochs=settings.epochs, verbose=0, callbacks=callbacks)
            """, "the default batch size, not the settings'", match=r"batch"),
        wrong("""\
            net = make_model(learning_rate=settings.learning_rate)
            return net.fit(x_train, y_train, validation_data=(x_val, y_val),
                           epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                           callbacks=callbacks)
            """, "ignores the width", match=r"(?i)width|units"),
    ],
}

MORE_ANSWERS["03.q1"] += [
    honest("""\
        return [keras.callbacks.ModelCheckpoint(Path(folder, "best.keras"), monitor="val_loss",
                                                save_best_only=True, save_freq="epoch",
                                                verbose=1),
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                              restore_best_weights=True, start_from_epoch=0)]
        """, "Path(folder, name), save_freq='epoch', verbose checkpoint, start_from_epoch=0"),
    wrong("""\
        return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=4,
                                              restore_best_weights=True),
                keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
        """, "a patience of 4", match=r"4 epochs after"),
    wrong("""\
        return [keras.callbacks.EarlyStopping(monitor="val_loss", mode="max", patience=3,
                                              restore_best_weights=True),
                keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
        """, "mode='max' on a loss", match=r"(?i)only 1 epoch|patience"),
    wrong("""\
        return [keras.callbacks.ModelCheckpoint(folder / "best.keras", save_best_only=True)]
        """, "no early stopping at all", match=r"did not stop"),
    wrong("""\
        return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                              restore_best_weights=True),
                keras.callbacks.ModelCheckpoint(folder / "best.weights.h5", save_best_only=True,
                                                save_weights_only=True)]
        """, "saves the weights only", match=r"no file best.keras"),
    wrong("""\
        return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                              restore_best_weights=True),
                keras.callbacks.ModelCheckpoint(folder, save_best_only=True)]
        """, "the folder as the checkpoint's path", match=r"raised"),
]
MORE_ANSWERS["03.q2"] += [
    honest("""\
        import math
        return learning_rate * math.pow(0.5, int(epoch >= 3))
        """, "math.pow of 0 or 1"),
    wrong("""\
        if epoch >= 3:
            return learning_rate * 0.5
        """, "returns None before epoch 3", match=r"type NoneType"),
    wrong("return learning_rate * 0.5", "halves from the first epoch", match=r"was expected"),
    wrong("return keras.ops.where(epoch < 3, learning_rate, learning_rate / 2)",
          "a tensor, which Keras refuses", match=r"float"),
]
MORE_ANSWERS["03.q3"] += [
    honest("""\
        def __init__(self, target):
            super().__init__()
            self.target = target
            self.stopped_epoch = None

        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)
            self.stopped_epoch = None

        def on_epoch_end(self, epoch, logs=None):
            if logs.get("val_accuracy", -1.0) >= self.target:
                self.stopped_epoch = float(epoch)
                self.model.stop_training = True
        """, "super().on_train_begin, a float epoch number"),
    wrong("""\
        def __init__(self, target):
            super().__init__()
            self.target = target

        def on_epoch_end(self, epoch, logs=None):
            if logs["val_accuracy"] >= self.target:
                self.model.stop_training = True
        """, "never keeps stopped_epoch", match=r"None"),
    wrong("""\
        def __init__(self, target):
            super().__init__()
            self.target = target

        def on_train_begin(self, logs=None):
            self.stopped_epoch = None

        def on_train_batch_end(self, batch, logs=None):
            if logs["accuracy"] >= self.target:
                self.stopped_epoch = self.params["epochs"]
                self.model.stop_training = True
        """, "stops on a batch's training accuracy", match=r"before"),
]
MORE_ANSWERS["03.q4"] += [
    honest(("""\
        model.save(folder / "m.keras")
        return keras.models.load_model(folder / "m.keras", safe_mode=True)
        """, COPY, COMPARE), "Path division, safe_mode=True"),
    wrong(("""\
        model.save_weights(folder / "m.weights.h5")
        copy = keras.models.clone_model(model)
        copy.load_weights(folder / "m.weights.h5")
        copy.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return copy
        """, COPY, COMPARE), "rebuilds from the weights instead of saving the whole model",
          match=r"no \.keras file"),
    wrong(("""\
        model.save(folder / "m.keras")
        copy = keras.models.load_model(folder / "m.keras")
        copy.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return copy
        """, COPY, COMPARE), "compiles the loaded model again: a new optimizer",
          match=r"optimizer"),
    wrong(("""\
        model.save(folder / "m.keras")
        copy = keras.Sequential(model.layers)
        copy.compile(optimizer=model.optimizer, loss="sparse_categorical_crossentropy")
        return copy
        """, COPY, COMPARE), "a new model around the same layers and optimizer",
          match=r"independent|shares"),
]
MORE_ANSWERS["03.q5"] += [
    honest("""\
        net = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(settings.width),
                                keras.layers.Activation("relu"),
                                keras.layers.Dense(10, activation="softmax")])
        net.compile(optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
                    loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
        history = net.fit(x=x_train, y=y_train, batch_size=settings.batch_size,
                          epochs=settings.epochs, verbose=0, callbacks=[*callbacks],
                          validation_data=(x_val, y_val))
        return history
        """, "an Activation('relu') layer, keyword arguments"),
    wrong("""\
        net = make_model(width=settings.width, learning_rate=settings.learning_rate)
        return net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=settings.epochs,
                       batch_size=settings.batch_size, verbose=0, callbacks=callbacks).history
        """, "returns the dict of the History", match=r"History"),
    wrong("""\
        net = make_model(width=settings.width, learning_rate=settings.learning_rate)
        return net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=5,
                       batch_size=settings.batch_size, verbose=0, callbacks=callbacks)
        """, "a fixed number of epochs", match=r"epochs"),
    wrong("""\
        net = make_model(width=settings.width, learning_rate=settings.learning_rate)
        return net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=settings.epochs,
                       batch_size=settings.batch_size, callbacks=callbacks)
        """, "progress bars (verbose left at its default)", match=r"verbose"),
    wrong("""\
        net = keras.Sequential([keras.Input((64,)),
                                keras.layers.Dense(settings.width, activation="sigmoid"),
                                keras.layers.Dense(10, activation="softmax")])
        net.compile(keras.optimizers.Adam(settings.learning_rate),
                    "sparse_categorical_crossentropy")
        return net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=settings.epochs,
                       batch_size=settings.batch_size, verbose=0, callbacks=callbacks)
        """, "a sigmoid hidden layer", match=r"not ReLU"),
    wrong("""\
        net = keras.Sequential([keras.Input((64,)),
                                keras.layers.Dense(settings.width, activation="relu"),
                                keras.layers.Dense(settings.width, activation="relu"),
                                keras.layers.Dense(10, activation="softmax")])
        net.compile(keras.optimizers.Adam(settings.learning_rate),
                    "sparse_categorical_crossentropy")
        return net.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=settings.epochs,
                       batch_size=settings.batch_size, verbose=0, callbacks=callbacks)
        """, "two hidden layers", match=r"Dense layer"),
    wrong("""\
        net = make_model(width=settings.width, learning_rate=settings.learning_rate)
        return net.fit(x_train, y_train, validation_data=(x_train, y_train),
                       epochs=settings.epochs, batch_size=settings.batch_size, verbose=0,
                       callbacks=callbacks)
        """, "validates on the training data", match=r"validation split"),
    wrong("""\
        if not hasattr(train_small, "net"):
            train_small.net = make_model(width=settings.width,
                                         learning_rate=settings.learning_rate)
        return train_small.net.fit(x_train, y_train, validation_data=(x_val, y_val),
                                   epochs=settings.epochs, batch_size=settings.batch_size,
                                   verbose=0, callbacks=callbacks)
        """, "builds the model once and trains it again", match=r"same model|units"),
]
MORE_ANSWERS["03.q3"] += [
    honest("""\
        def __init__(self, target):
            super().__init__()
            self._target = target

        def on_train_begin(self, logs=None):
            self.stopped_epoch = None

        def on_epoch_end(self, epoch, logs=None):
            accuracy = (logs or {}).get("val_accuracy")
            if accuracy is not None and accuracy >= self._target:
                self.model.stop_training = True
                self.stopped_epoch = epoch
                print(f"epoch {epoch}: validation accuracy {accuracy:.1%}, stopping")
        """, "a private attribute, a missing metric skipped, a message"),
]
MORE_ANSWERS["03.q4"] += [
    honest(("""\
        where = Path(folder) / "saved"
        where.mkdir(parents=True, exist_ok=True)
        model.save(str(where / "digits.keras"), zipped=True)
        loaded = keras.models.load_model(str(where / "digits.keras"))
        loaded.summary(print_fn=lambda line, **kwargs: None)
        return loaded
        """, """\
        import os
        weights = os.path.join(folder, "copy.weights.h5")
        model.save_weights(weights)
        other.load_weights(weights)
        """, COMPARE), "a subfolder, str paths, zipped=True, os.path.join for the weights"),
    honest((SAVE, """\
        path = Path(folder) / "model.weights.h5"
        model.save_weights(path)
        other.load_weights(path)
        print("copied", len(other.weights), "weights")
        """, COMPARE), "prints what it copied"),
]

# ---- 03.q6-03.q9: class weights, resuming, data sets, export --------------------------
# 03.q6 has two regions: balanced_class_weight's body, then balanced_sample_weight's.
SAMPLE_FROM_DICT = """\
weights = balanced_class_weight(labels)
return np.array([weights[int(label)] for label in labels], dtype="float64")
"""
ANSWERS["03.q6"] = [
    honest(("""\
        import collections
        counts = collections.Counter(labels.tolist())
        return {label: 1.0 / n for label, n in counts.items()}
        """, """\
        classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
        return 1.0 / counts[inverse]
        """), "Counter, weights 1/count; np.unique's inverse for the examples"),
    honest(("""\
        counts = np.bincount(labels)
        return {int(c): counts.max() / counts[c] for c in np.flatnonzero(counts)}
        """, SAMPLE_FROM_DICT), "np.bincount with the absent classes left out, largest/count"),
    honest(("""\
        weights = {}
        for label in set(labels.tolist()):
            weights[label] = len(labels) / np.sum(labels == label)
        return weights
        """, """\
        return np.array([len(labels) / np.sum(labels == label) for label in labels])
        """), "a loop over the set of labels, NumPy float weights"),
    wrong(("""\
        classes, counts = np.unique(labels, return_counts=True)
        return {int(c): n / len(labels) for c, n in zip(classes, counts)}
        """, SAMPLE_FROM_DICT), "frequencies instead of inverse frequencies",
          match=r"do not weigh the same"),
    wrong(("""\
        counts = np.bincount(labels)
        return {c: len(labels) / (len(counts) * max(n, 1)) for c, n in enumerate(counts)}
        """, SAMPLE_FROM_DICT), "np.bincount over every class number, absent ones included",
          match=r"never occur"),
    wrong(("""\
        classes, counts = np.unique(labels, return_counts=True)
        rare = classes[np.argmin(counts)]
        return {int(c): counts.max() / counts.min() if c == rare else 1.0 for c in classes}
        """, SAMPLE_FROM_DICT), "only the rarest class weighted: right for two classes only",
          match=r"do not weigh the same"),
    wrong(("""\
        classes, counts = np.unique(labels, return_counts=True)
        return {str(c): 1.0 / n for c, n in zip(classes, counts)}
        """, SAMPLE_FROM_DICT), "the labels as text keys", match=r"integer class labels"),
    wrong(("""\
        classes, counts = np.unique(labels, return_counts=True)
        return {int(c): 1.0 / n for c, n in zip(classes, counts)}
        """, """\
        classes, counts = np.unique(labels, return_counts=True)
        return 1.0 / counts
        """), "one weight per class instead of per example", match=r"shape"),
]
ANSWERS["03.q7"] = [
    honest("""\
        model = keras.models.load_model(str(path))
        history = model.fit(x=x_train, y=y_train, batch_size=32, epochs=total, initial_epoch=done,
                            verbose=0, callbacks=callbacks, shuffle=False)
        return history
        """, "str path, keyword arguments, no shuffling"),
    honest("""\
        restored = keras.saving.load_model(path)
        return restored.fit(x_train, y_train, validation_data=(x_val, y_val), batch_size=32,
                            initial_epoch=done, epochs=done + (total - done), verbose=0,
                            callbacks=[*callbacks])
        """, "keras.saving.load_model, validation data, epochs written as done + left"),
    honest("""\
        model = keras.models.load_model(path, compile=True)
        print(f"resuming at epoch {done} of {total}, optimizer step "
              f"{int(model.optimizer.iterations)}")
        return model.fit(x_train, y_train, 32, total, 0, callbacks, initial_epoch=done)
        """, "positional batch_size, epochs, verbose and callbacks; a message"),
    wrong("""\
        model = keras.models.load_model(path)
        return model.fit(x_train, y_train, epochs=total - done, batch_size=32, verbose=0,
                         callbacks=callbacks)
        """, "the epochs left, numbered from 0 again", match=r"epochs \[0, 1\]"),
    wrong("""\
        model = keras.models.load_model(path)
        return model.fit(x_train, y_train, epochs=total - done, initial_epoch=done,
                         batch_size=32, verbose=0, callbacks=callbacks)
        """, "epochs as the number left with initial_epoch: nothing runs", match=r"epochs none"),
    wrong("""\
        model = keras.models.load_model(path)
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model.fit(x_train, y_train, epochs=total, initial_epoch=done, batch_size=32,
                         verbose=0, callbacks=callbacks)
        """, "compiled again: a new optimizer at step 0", match=r"optimizer"),
    wrong("""\
        model = keras.models.load_model(path)
        return model.fit(x_train, y_train, epochs=total, batch_size=32, verbose=0,
                         callbacks=callbacks)
        """, "the whole run again from epoch 0", match=r"epochs \[0, 1, 2, 3, 4\]"),
    wrong("""\
        model = keras.models.load_model(path)
        return model.fit(x_train[:640], y_train[:640], epochs=total, initial_epoch=done,
                         batch_size=32, verbose=0, callbacks=callbacks)
        """, "part of the training split", match=r"20 steps"),
]
ANSWERS["03.q8"] = [
    honest("""\
        n = len(x)
        indices = tf.data.Dataset.range(n)
        if shuffle:
            indices = indices.shuffle(n)
        return indices.batch(batch_size).map(lambda i: (tf.gather(x, i), tf.gather(y, i)))
        """, "a data set of indices, shuffled and batched, then gathered"),
    honest("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(buffer_size=x.shape[0], reshuffle_each_iteration=True)
        return dataset.batch(batch_size, drop_remainder=False).prefetch(tf.data.AUTOTUNE)
        """, "explicit shuffle and batch arguments, prefetch"),
    honest("""\
        inputs = tf.data.Dataset.from_tensor_slices(x)
        labels = tf.data.Dataset.from_tensor_slices(y)
        pairs = tf.data.Dataset.zip((inputs, labels))
        return (pairs.shuffle(len(y)) if shuffle else pairs).batch(batch_size)
        """, "two data sets zipped"),
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
        return dataset.shuffle(len(x)) if shuffle else dataset
        """, "batches first, then shuffles whole batches", match=r"whole batches"),
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(len(x), seed=0, reshuffle_each_iteration=False)
        return dataset.batch(batch_size)
        """, "the same order at every epoch", match=r"same order"),
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(10)
        return dataset.batch(batch_size)
        """, "a shuffle buffer of 10", match=r"buffer"),
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        return dataset.shuffle(len(x)) if shuffle else dataset
        """, "not batched", match=r"not a batch"),
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(len(x))
        return dataset.batch(batch_size, drop_remainder=True)
        """, "drops the last, smaller batch", match=r"exactly once"),
    wrong("""\
        return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch_size)
        """, "shuffles even when shuffle is False", match=r"order of the arrays"),
]
ANSWERS["03.q9"] = [
    honest("""\
        norm = keras.layers.Normalization(axis=-1)
        norm.adapt(x_raw)
        inputs = keras.Input(shape=(x_raw.shape[-1],), dtype="float32")
        raw = keras.Model(inputs, model(norm(inputs)))
        raw.export(str(path), format="tf_saved_model", verbose=False)
        return raw
        """, "the functional API, a str path, format named"),
    honest("""\
        standardise = keras.layers.Normalization(mean=x_raw.mean(axis=0),
                                                 variance=x_raw.var(axis=0))
        raw = keras.Sequential([keras.Input(shape=x_raw.shape[1:]), standardise, model])
        raw.export(path, verbose=False)
        return raw
        """, "Normalization given NumPy's mean and variance instead of adapt"),
    honest("""\
        norm = keras.layers.Normalization()
        norm.adapt(tf.data.Dataset.from_tensor_slices(x_raw).batch(64))
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)), norm, *model.layers])
        raw.export(path, verbose=False)
        return raw
        """, "adapted on a batched data set, the model's layers laid out in a new Sequential"),
    wrong("""\
        norm = keras.layers.Normalization(axis=None)
        norm.adapt(x_raw)
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)), norm, model])
        raw.export(path, verbose=False)
        return raw
        """, "one mean and variance for all features (axis=None)", match=r"does not predict"),
    wrong("""\
        norm = keras.layers.Normalization()
        norm.adapt(x_raw)
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)), norm, model])
        model.export(path, verbose=False)
        return raw
        """, "exports the model without the normalisation", match=r"exported without"),
    wrong("""\
        norm = keras.layers.Normalization()
        norm.adapt(x_raw)
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)), norm, model])
        raw.save(path)
        return raw
        """, "model.save to a folder, refused by Keras 3", match=r"Invalid filepath extension"),
    wrong("""\
        norm = keras.layers.Normalization()
        norm.adapt(x_raw)
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)), norm, model])
        raw.save(path.with_suffix(".keras"))
        return raw
        """, "a .keras file instead of a SavedModel", match=r"no SavedModel"),
    wrong("""\
        raw = keras.Sequential([keras.Input(shape=(x_raw.shape[1],)),
                                keras.layers.Normalization(), model])
        raw.export(path, verbose=False)
        return raw
        """, "a Normalization layer never adapted", match=r"does not predict|raised"),
]
MORE_ANSWERS["03.q8"] = [
    wrong("""\
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(len(x))
        return dataset.batch(batch_size).repeat()
        """, "repeats forever (the lesson's demo fit would never end)", match=r"forever"),
]
