"""Answers to exercise 01's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

_FIT = ("model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
        "metrics=['accuracy'])\n"
        "history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=20, "
        "verbose=0)")

ANSWERS = {
    "01.q1": [
        honest("""
            model = keras.Sequential()
            model.add(keras.Input(shape=(64,)))
            model.add(keras.layers.Dense(32, activation="tanh"))
            model.add(keras.layers.Dense(10))
            model.add(keras.layers.Softmax())
        """, "add() one layer at a time, Softmax as its own layer, other sizes"),
        honest("""
            inputs = keras.Input(shape=(64,))
            hidden = keras.layers.Dense(128, activation="relu")(inputs)
            hidden = keras.layers.Dense(64, activation="relu")(hidden)
            model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden))
        """, "the functional API, two hidden layers"),
        honest("""
            model = keras.Sequential([
                keras.layers.Dense(64, activation="relu"),
                keras.layers.Dropout(0.2),
                keras.layers.Dense(10, activation=keras.activations.softmax),
            ])
            model.build((None, 64))
        """, "no Input layer but build(), Dropout, activation as a function"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(10, activation="softmax")])
        """, "no hidden layer", match="Dense layer"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(10)])
        """, "scores (logits) where probabilities were asked for", match="not probabilities"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(10, activation="sigmoid")])
        """, "sigmoid: each in [0, 1] but not summing to 1", match="not probabilities"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(1, activation="softmax")])
        """, "one output unit", match=r"shape \(5, 1\)"),
        wrong("""
            model = keras.Sequential([keras.Input(shape=(8, 8)), keras.layers.Flatten(),
                                      keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(10, activation="softmax")])
        """, "images as 8×8 where the data is rows of 64", match="cannot take"),
    ],
    "01.q2": [
        honest("""
            model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=2e-3),
                          loss=keras.losses.SparseCategoricalCrossentropy(),
                          metrics=[keras.metrics.SparseCategoricalAccuracy()])
            history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=8,
                                batch_size=64, verbose=0)
        """, "RMSprop, loss and metric objects, 8 epochs of 64"),
        honest("""
            model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                          metrics=["sparse_categorical_accuracy"])
            model.optimizer.learning_rate = 0.1
            history = model.fit(x=x_train, y=y_train, epochs=30, batch_size=16,
                                validation_data=[x_val, y_val], verbose=0)
        """, "SGD at 0.1, metric by its full name, validation data as a list"),
        honest("""
            model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
            history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=40,
                                verbose=0, callbacks=[stop])
        """, "early stopping that restores the best weights"),
        wrong("""
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=20, verbose=0)
        """, "validates on the test split", match="test split"),
        wrong("""
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, validation_split=0.2, epochs=20, verbose=0)
        """, "a slice of the training data instead of the validation split",
              match="not the model's loss on the validation split"),
        wrong("""
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, epochs=20, verbose=0)
        """, "no validation data", match="no validation loss"),
        wrong("""
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=3, verbose=0)
        """, "too few epochs", match="3 epoch"),
        wrong("""
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-4),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=5, verbose=0)
        """, "a learning rate far too small: barely trained", match="at least 85%"),
        wrong("""
            model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
            history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=20, verbose=0)
        """, "one-hot loss with integer labels: fit fails", match="history"),
    ],
    "01.q3": [
        honest("""
            results = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
            test_accuracy = results[1]
        """, "indexing the list, another batch size"),
        honest("test_accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)['accuracy']",
               "return_dict"),
        honest("""
            test_accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
        """, "computed by hand from predict"),
        wrong("test_loss, test_accuracy = model.evaluate(x_val, y_val, verbose=0)",
              "the validation split", match="not the accuracy of `model` on the test"),
        wrong("test_accuracy, test_loss = model.evaluate(x_test, y_test, verbose=0)",
              "the loss taken for the accuracy", match="not the accuracy|between 0 and 1"),
        wrong("test_accuracy = 100 * model.evaluate(x_test, y_test, verbose=0)[1]",
              "a percentage", match="between 0 and 1"),
        wrong("test_accuracy = history.history['val_accuracy'][-1]",
              "the last validation accuracy", match="not the accuracy of `model` on the test"),
    ],
    "01.q4": [
        honest("return np.argmax(model.predict(images, verbose=0), axis=-1)", "np.argmax, axis=-1"),
        honest("""
            import tensorflow as tf
            return tf.argmax(model(images), axis=1).numpy()
        """, "tf.argmax on a direct call"),
        honest("return keras.ops.argmax(model(images, training=False), axis=1)",
               "keras.ops.argmax, returning a tensor"),
        honest("return [int(np.argmax(row)) for row in model.predict(images, verbose=0)]",
               "a list of Python ints"),
        wrong("return model.predict(images, verbose=0)", "the probabilities themselves",
              match=r"shape \(1, 10\)"),
        wrong("return model.predict(images, verbose=0).max(axis=1)", "the largest probability",
              match="non-integer"),
        wrong("return model.predict(images, verbose=0).argmax(axis=0)", "argmax over the batch",
              match="shape"),
        wrong("return model.predict(x_test[:len(images)], verbose=0).argmax(axis=1)",
              "predicts the global test images, not its argument", match="disagrees"),
        wrong("return model.predict(images, verbose=0).argmax(axis=1).astype(float)",
              "floats", match="non-integer"),
    ],
    "01.q5": [
        honest(("""
            fig = plt.figure(figsize=(6, 4))
            plt.plot(history.history["loss"], "o-", label="train loss")
            plt.plot(history.history["val_loss"], "s--", label="val loss")
            plt.title("Learning curves")
            plt.xlabel("epoch (from 0)")
            plt.ylabel("loss")
            plt.legend()
            return fig
        """, "fig = plot_curves(history)"), "pyplot style, 0-based epochs, markers"),
        honest(("""
            fig, ax = plt.subplots()
            epochs = range(1, len(history.epoch) + 1)
            ax.plot(epochs, history.history["loss"])
            ax.plot(epochs, history.history["val_loss"])
            ax.set(xlabel="epoch", ylabel="cross-entropy")
            fig.suptitle("Training and validation loss")
            fig.legend(["training", "validation"])
            return fig
        """, "fig = plot_curves(history)"), "figure-level suptitle and legend, labels by order"),
        honest(("""
            fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
            for ax, key, name in ((left, "loss", "Training"), (right, "val_loss", "Validation")):
                ax.plot(history.history[key], color="C0", label=f"{name} loss")
                ax.set_title(f"{name} loss")
                ax.set_xlabel("epoch")
                ax.set_ylabel("loss")
                ax.legend()
            return fig
        """, "plot_curves(history)"), "one panel per curve, same colour in both"),
        wrong(("""
            fig, ax = plt.subplots()
            ax.plot(history.history["loss"], label="validation")
            ax.plot(history.history["val_loss"], label="training")
            ax.set_title("Loss")
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss")
            ax.legend()
            return fig
        """, "fig = plot_curves(history)"), "labels swapped", match="cannot tell which is which"),
        wrong(("""
            fig, ax = plt.subplots()
            ax.plot(history.history["loss"])
            ax.plot(history.history["val_loss"])
            ax.set_title("Loss")
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss")
            return fig
        """, "fig = plot_curves(history)"), "no legend", match="no legend"),
        wrong(("""
            fig, ax = plt.subplots()
            ax.plot(history.history["accuracy"], label="training")
            ax.plot(history.history["val_accuracy"], label="validation")
            ax.set_title("Accuracy")
            ax.set_xlabel("epoch")
            ax.set_ylabel("accuracy")
            ax.legend()
            return fig
        """, "fig = plot_curves(history)"), "the accuracy instead of the loss", match="no line"),
        wrong(("""
            fig, ax = plt.subplots()
            ax.plot(history.history["loss"], label="training")
            ax.plot(history.history["val_loss"], label="validation")
            ax.legend()
            return fig
        """, "fig = plot_curves(history)"), "no title or labels", match="no title"),
        wrong(("""
            plt.plot(history.history["loss"], label="training")
            plt.plot(history.history["val_loss"], label="validation")
            plt.title("Loss")
            plt.xlabel("epoch")
            plt.ylabel("loss")
            plt.legend()
            plt.show()
        """, "plot_curves(history)"), "returns nothing", match="matplotlib Figure"),
        wrong(("""
            fig, ax = plt.subplots()
            ax.plot(globals()["history"].history["loss"], label="training")
            ax.plot(globals()["history"].history["val_loss"], label="validation")
            ax.set_title("Loss")
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss")
            ax.legend()
            return fig
        """, "fig = plot_curves(history)"), "plots the notebook's own history, not its argument",
              match="no line"),
    ],
}

# 01.q6: a logits model, its loss, and probabilities from its logits --------------------------

_LOGITS_FIT = """
    logits_model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                     keras.layers.Dense(10)])
    logits_model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                         metrics=["accuracy"])
    logits_model.fit(x_train, y_train, epochs=20, verbose=0)
"""
_SOFTMAX = "return keras.ops.softmax(logits_model.predict(images, verbose=0))"

ANSWERS["01.q6"] = [
    honest(("""
        import tensorflow as tf
        inputs = keras.Input(shape=(64,))
        hidden = keras.layers.Dense(96, activation="tanh", kernel_regularizer=keras.regularizers.L2(1e-4))(inputs)
        hidden = keras.layers.Dropout(0.1)(hidden)
        logits_model = keras.Model(inputs, keras.layers.Dense(10, name="logits")(hidden))
        logits_model.compile(optimizer=keras.optimizers.RMSprop(2e-3),
                             loss=lambda y, z: keras.losses.sparse_categorical_crossentropy(y, z, from_logits=True),
                             metrics=[keras.metrics.SparseCategoricalAccuracy()])
        logits_model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=15, batch_size=64, verbose=0)
    """, "return tf.nn.softmax(logits_model(images, training=False)).numpy()"),
        "functional, L2 and Dropout, a loss function with from_logits=True, tf.nn.softmax"),
    honest((_LOGITS_FIT, """
        inference = keras.Sequential([logits_model, keras.layers.Softmax()])
        return inference.predict(images, verbose=0)
    """), "a separate inference model ending in a Softmax layer"),
    honest((_LOGITS_FIT, "return keras.activations.softmax(logits_model(images))"),
           "keras.activations.softmax on a direct call"),
    honest((_LOGITS_FIT, """
        z = logits_model.predict(images, verbose=0)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    """), "softmax by hand in NumPy"),
    wrong(("""
        logits_model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                         keras.layers.Dense(10, activation="softmax")])
        logits_model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                             metrics=["accuracy"])
        logits_model.fit(x_train, y_train, epochs=20, verbose=0)
    """, "return logits_model.predict(images, verbose=0)"),
        "softmax outputs with from_logits=True (Keras warns, and fit still trains)",
        match="outputs probabilities"),
    wrong(("""
        logits_model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                         keras.layers.Dense(10)])
        logits_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        logits_model.fit(x_train, y_train, epochs=20, verbose=0)
    """, _SOFTMAX), "logits with the default from_logits=False", match="does not read the outputs as logits"),
    wrong(("""
        logits_model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                         keras.layers.Dense(10, activation="relu")])
        logits_model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                             metrics=["accuracy"])
        logits_model.fit(x_train, y_train, epochs=20, verbose=0)
    """, _SOFTMAX), "a ReLU on the last layer", match="never negative"),
    wrong(("""
        logits_model = keras.Sequential([keras.Input(shape=(64,)), keras.layers.Dense(64, activation="relu"),
                                         keras.layers.Dense(10)])
        logits_model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    """, _SOFTMAX), "compiled but never trained", match="at least 85%"),
    wrong((_LOGITS_FIT, "return logits_model.predict(images, verbose=0)"), "returns the logits",
          match="logits themselves"),
    wrong((_LOGITS_FIT, "return keras.ops.softmax(logits_model.predict(images, verbose=0), axis=0)"),
          "softmax over the batch instead of the classes", match="not probabilities"),
    wrong((_LOGITS_FIT, "return keras.ops.sigmoid(logits_model.predict(images, verbose=0))"),
          "a sigmoid per class", match="not probabilities"),
    wrong((_LOGITS_FIT, "return keras.ops.softmax(logits_model.predict(x_test[:len(images)], verbose=0))"),
          "the global test images, not its argument", match="disagrees"),
]
