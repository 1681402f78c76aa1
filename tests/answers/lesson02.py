"""Answers to exercise 02's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

# 02.q1 answers that later questions reuse (prefix=) -------------------------------------------

# Lists of inputs and outputs, each named by its layer; the outputs in the order centre, digit.
_Q1_LISTS = """
    image = keras.Input(shape=(64,), name="image")
    ink = keras.Input(shape=(1,), name="ink")
    both = keras.layers.Concatenate()([image, ink])
    hidden = keras.layers.Dense(64, activation="relu")(both)
    hidden = keras.layers.Dropout(0.1)(hidden)
    centre = keras.layers.Dense(1, name="centre")(hidden)
    digit = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
    model = keras.Model(inputs=[image, ink], outputs=[centre, digit])
"""

# Weight decay on the hidden layers: the total loss then holds model.losses too.
_Q1_REGULARISED = """
    l2 = keras.regularizers.L2(1e-3)
    image = keras.Input(shape=(64,), name="image")
    ink = keras.Input(shape=(1,), name="ink")
    features = keras.layers.Dense(48, activation="relu", kernel_regularizer=l2)(image)
    features = keras.layers.BatchNormalization()(features)
    merged = keras.layers.Concatenate()([features, ink])
    hidden = keras.layers.Dense(32, activation="relu", kernel_regularizer=l2)(merged)
    model = keras.Model(
        inputs={"image": image, "ink": ink},
        outputs={"digit": keras.layers.Dense(10, activation="softmax")(hidden),
                 "centre": keras.layers.Dense(1)(hidden)},
    )
"""

# 02.q3: the solution's FeatureScale with one line changed -------------------------------------


_CONFIG = ("return {**super().get_config(), 'initial_scale': self.initial_scale, "
           "'activation': keras.activations.serialize(self.activation)}")


def _feature_scale(init=None, build=None, call=None, config=None):
    return f"""
        def __init__(self, initial_scale=1.0, activation=None, **kwargs):
            {init or "super().__init__(**kwargs)"}
            self.initial_scale = initial_scale
            self.activation = keras.activations.get(activation)

        def build(self, input_shape):
            {build or '''n = input_shape[-1]
            self.scale = self.add_weight(shape=(n,), initializer=keras.initializers.Constant(self.initial_scale))
            self.offset = self.add_weight(shape=(n,), initializer="zeros")'''}

        def call(self, inputs):
            {call or "return self.activation(inputs * self.scale + self.offset)"}

        def get_config(self):
            {config or _CONFIG}
    """


# 02.q4: the solution's DigitClassifier with its layers changed --------------------------------


def _classifier(layers, call="return self.out(self.hidden(self.scale(inputs)))"):
    return f"""
        def __init__(self, width, **kwargs):
            super().__init__(**kwargs)
            {layers}

        def call(self, inputs):
            {call}
    """


_SCALE, _HIDDEN = "self.scale = FeatureScale()", "self.hidden = keras.layers.Dense(width, activation='relu')"
_OUT = "self.out = keras.layers.Dense(10, activation='softmax')"

# 02.q5: compile and fit, short enough for the tests ------------------------------------------

_LOSSES = 'loss={"digit": "sparse_categorical_crossentropy", "centre": "mse"}'
_METRICS = 'metrics={"digit": ["accuracy"], "centre": ["mae"]}'
_WEIGHTS = 'loss_weights={"digit": 1.0, "centre": 0.25}'
_FIT = "history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs={epochs}, verbose=0)"


def _q5(losses=_LOSSES, metrics=_METRICS, weights=_WEIGHTS, fit=_FIT, epochs=1,
        optimizer="keras.optimizers.Adam(3e-3)"):
    return (f"model.compile(optimizer={optimizer}, {losses}, {metrics}, {weights})\n"
            + fit.format(epochs=epochs))


ANSWERS = {
    "02.q1": [
        honest(_Q1_LISTS, "lists of inputs and outputs named by their layers, outputs in another "
                          "order, the inputs merged first, Dropout"),
        honest("""
            inputs = {"image": keras.Input(shape=(64,)), "ink": keras.Input(shape=(1,))}
            pixels = keras.layers.Dense(32, activation="relu")(inputs["image"])
            pixels = keras.layers.BatchNormalization()(pixels)
            amount = keras.layers.Dense(4, activation="relu")(inputs["ink"])
            merged = keras.layers.concatenate([pixels, amount])
            digit = keras.layers.Softmax()(keras.layers.Dense(10)(merged))
            centre = keras.layers.Dense(1)(merged)
            model = keras.Model(inputs, {"digit": digit, "centre": centre})
        """, "inputs named by dict keys only, unnamed layers, Softmax layer, ink through a Dense"),
        honest("""
            image = keras.Input((64,), name="image")
            ink = keras.Input((1,), name="ink")
            pixels = keras.layers.Dense(32, activation="tanh")(image)
            merged = keras.layers.Add()([pixels, keras.layers.Dense(32)(ink)])
            scores = keras.layers.Dense(10)(merged)
            model = keras.Model(inputs=(ink, image),
                                outputs=(keras.layers.Activation("softmax", name="digit")(scores),
                                         keras.layers.Dense(1, name="centre")(merged)))
        """, "tuples, inputs in another order, merged by Add, softmax as an Activation layer"),
        honest("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            merged = keras.ops.concatenate([image, ink * 10.0], axis=-1)
            digit_tower = keras.layers.Dense(40, activation="relu")(merged)
            centre_tower = keras.layers.Dense(16, activation="elu")(merged)
            model = keras.Model({"image": image, "ink": ink},
                                [keras.layers.Dense(10, activation="softmax", name="digit")(digit_tower),
                                 keras.layers.Dense(1, activation="relu", name="centre")(centre_tower)])
        """, "keras.ops on symbolic tensors, a tower per output, a dict in and a list out, a ReLU "
             "centre (never negative)"),
        honest("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Concatenate()([image, ink]))
            rows = 7.0 * keras.layers.Dense(1, activation="sigmoid")(hidden)
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10, activation="softmax")(hidden),
                                 "centre": rows})
        """, "a sigmoid stretched to 0–7 rows"),
        honest(_Q1_REGULARISED, "weight decay and BatchNormalization"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            features = keras.layers.Dense(48, activation="relu")(image)
            digit = keras.layers.Dense(10, activation="softmax", name="digit")(features)
            merged = keras.layers.Concatenate()([features, ink])
            centre = keras.layers.Dense(1, name="centre")(merged)
            model = keras.Model({"image": image, "ink": ink}, {"digit": digit, "centre": centre})
        """, "the ink merged only into the centre's branch", match="'digit' does not change when "
                                                                  "the ink"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            hidden = keras.layers.Dense(32, activation="relu")(image)
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10, activation="softmax")(hidden),
                                 "centre": keras.layers.Dense(1)(hidden)})
        """, "ink declared but never used", match="does not change when the ink"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            merged = keras.layers.Concatenate()([keras.layers.Dense(32, activation="relu")(image), ink])
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10)(merged),
                                 "centre": keras.layers.Dense(1)(merged)})
        """, "scores (logits) where probabilities were asked for", match="not probabilities"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            merged = keras.layers.Concatenate()([keras.layers.Dense(32, activation="relu")(image), ink])
            model = keras.Model([image, ink], [keras.layers.Dense(10, activation="softmax")(merged),
                                               keras.layers.Dense(1)(merged)])
        """, "a list of outputs whose layers are not named", match="outputs are named"),
        wrong("""
            image = keras.Input(shape=(64,))
            ink = keras.Input(shape=(1,))
            merged = keras.layers.Concatenate()([keras.layers.Dense(32, activation="relu")(image), ink])
            model = keras.Model([image, ink],
                                {"digit": keras.layers.Dense(10, activation="softmax")(merged),
                                 "centre": keras.layers.Dense(1)(merged)})
        """, "a list of inputs that are not named", match="inputs named"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            hidden = keras.layers.Dense(32, activation="relu")(image)
            merged = keras.layers.Concatenate()([hidden, ink])
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10, activation="softmax")(merged),
                                 "centre": keras.layers.Dense(1)(ink)})
        """, "the centre computed from the ink alone", match="'centre' does not change when the image"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            merged = keras.layers.Concatenate()([image, ink])
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10, activation="softmax")(merged),
                                 "centre": keras.layers.Dense(10)(merged)})
        """, "the centre with 10 units", match=r"'centre' has shape \(\d+, 10\)"),
        wrong("""
            image = keras.Input(shape=(64,), name="image")
            ink = keras.Input(shape=(1,), name="ink")
            hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Concatenate()([image, ink]))
            model = keras.Model({"image": image, "ink": ink},
                                {"digit": keras.layers.Dense(10, activation="softmax")(hidden),
                                 "centre": keras.layers.Dense(1, activation="sigmoid")(hidden)})
        """, "a sigmoid on the centre: it can never pass 1 row", match="squashes"),
        wrong("""
            class TwoHeads(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.hidden = keras.layers.Dense(32, activation="relu")
                    self.digit = keras.layers.Dense(10, activation="softmax")
                    self.centre = keras.layers.Dense(1)

                def call(self, inputs):
                    h = self.hidden(keras.ops.concatenate([inputs["image"], inputs["ink"]], axis=-1))
                    return {"digit": self.digit(h), "centre": self.centre(h)}

            model = TwoHeads()
        """, "a subclassed model where the functional API was asked for", match="not a functional"),
    ],
    "02.q2": [
        honest("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(32, activation="relu")
            a, b = encoder(left), encoder(right)
            both = keras.layers.Concatenate()([a + b, a * b])
            hidden = keras.layers.Dense(16, activation="relu")(both)
            pair_model = keras.Model([left, right], keras.layers.Dense(1, activation="sigmoid")(hidden))
        """, "a list of inputs, the sum and the product of the descriptions concatenated"),
        honest("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.Sequential([keras.layers.Dense(32, activation="relu"),
                                        keras.layers.Dense(8)], name="encoder")
            similarity = keras.layers.Dot(axes=1, normalize=True)([encoder(left), encoder(right)])
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(similarity))
        """, "a Sequential encoder called on both, cosine similarity"),
        honest("""
            inputs = {"left": keras.Input(shape=(64,)), "right": keras.Input(shape=(64,))}
            encoder = keras.layers.Dense(16, activation="tanh")
            dropout = keras.layers.Dropout(0.2)
            a = dropout(encoder(inputs["left"]))
            b = dropout(encoder(inputs["right"]))
            product = keras.layers.Multiply()([a, b])
            score = keras.layers.Dense(1)(product)
            pair_model = keras.Model(inputs, {"same": keras.layers.Activation("sigmoid")(score)})
        """, "inputs named by dict keys, Dropout, a product, a dict output"),
        honest("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            scaled = keras.layers.Rescaling(2.0)
            encode = keras.layers.Dense(24, activation="relu", name="encoder")
            squared = keras.ops.square(keras.layers.Subtract()([encode(scaled(left)), encode(scaled(right))]))
            pair_model = keras.Model(inputs=[right, left],
                                     outputs=keras.ops.sigmoid(keras.layers.Dense(1)(squared)))
        """, "a weightless layer before the encoder, keras.ops.sigmoid, inputs in another order"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(32, activation="relu")
            both = keras.layers.Concatenate()([encoder(left), encoder(right)])
            hidden = keras.layers.Dense(16, activation="relu")(both)
            pair_model = keras.Model([left, right], keras.layers.Dense(1, activation="sigmoid")(hidden))
        """, "a shared encoder, then the two descriptions concatenated: not symmetric",
              match="swapped"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(16, activation="relu")
            difference = keras.layers.Subtract()([encoder(left), encoder(right)])
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(difference))
        """, "a − b without the absolute value", match="swapped"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            a = keras.layers.Dense(16, activation="relu")(left)
            b = keras.layers.Dense(16, activation="relu")(right)
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(keras.ops.abs(a - b)))
        """, "two encoders: nothing shared", match="not shared|nothing is shared"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            squash = keras.layers.Activation("relu")
            a = squash(keras.layers.Dense(16)(left))
            b = squash(keras.layers.Dense(16)(right))
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(keras.ops.abs(a - b)))
        """, "two encoders, then a shared layer without weights", match="no weights"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            shared_dropout = keras.layers.Dropout(0.1)
            a = keras.layers.Dense(16, activation="relu")(shared_dropout(left))
            b = keras.layers.Dense(16, activation="relu")(shared_dropout(right))
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(keras.ops.abs(a - b)))
        """, "a shared Dropout before two encoders", match="no weights"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            both = keras.layers.Concatenate()([left, right])
            encoded = keras.layers.Dense(16, activation="relu")(both)
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(encoded))
        """, "one encoder called once on both images stuck together", match="each image on its own"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            a = keras.layers.Dense(16, activation="relu")(left)
            b = keras.layers.Dense(16, activation="relu")(right)
            head = keras.layers.Dense(8, activation="relu")
            distance = keras.ops.abs(head(a) - head(b))
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(distance))
        """, "two encoders, then a shared layer on top of them", match="different weights"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(16, activation="relu")
            distance = keras.ops.abs(encoder(left) - encoder(right))
            pair_model = keras.Model({"left": left, "right": right}, keras.layers.Dense(1)(distance))
        """, "a score where a probability was asked for", match="probabilit"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(16, activation="relu")
            distance = keras.ops.abs(encoder(left) - encoder(left))
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(1, activation="sigmoid")(distance))
        """, "the encoder called twice on the left image", match="right"),
        wrong("""
            left = keras.Input(shape=(64,), name="left")
            right = keras.Input(shape=(64,), name="right")
            encoder = keras.layers.Dense(16, activation="relu")
            distance = keras.ops.abs(encoder(left) - encoder(right))
            pair_model = keras.Model({"left": left, "right": right},
                                     keras.layers.Dense(2, activation="softmax")(distance))
        """, "two softmax units where one probability was asked for", match=r"shape"),
    ],
    "02.q3": [
        honest(_feature_scale(build="""n = input_shape[-1]
            self.scale = self.add_weight(shape=(1, n), name="scale",
                                         initializer=keras.initializers.Constant(value=self.initial_scale))
            self.offset = self.add_weight(shape=(1, n), name="offset", initializer="zeros")""",
                              call="return self.activation(keras.ops.add(keras.ops.multiply(inputs, self.scale), self.offset))"),
               "weights of shape (1, n), keras.ops"),
        honest(_feature_scale(init="super().__init__(**kwargs)",
                              build="""self.scale = keras.Variable(np.full((input_shape[-1],), self.initial_scale, dtype="float32"), name="scale")
            self.offset = keras.Variable(np.zeros((input_shape[-1],), dtype="float32"), name="offset")""",
                              config="""config = super().get_config()
            config["initial_scale"] = self.initial_scale
            config["activation"] = self.activation      # the function itself: keras.saving serializes it
            return config"""),
               "keras.Variable created in build; the activation function itself in the config"),
        honest(_feature_scale(build="""self.scale = self.add_weight(shape=(input_shape[1],), initializer="ones")
            self.scale.assign(self.scale * self.initial_scale)
            self.offset = self.add_weight(shape=(input_shape[1],), initializer=keras.initializers.Zeros())""",
                              call="return self.activation(self.offset + self.scale * inputs)"),
               "ones, then assign initial_scale × ones; input_shape[1]"),
        honest("""
            def __init__(self, initial_scale=1.0, activation=None, name=None, **kwargs):
                super().__init__(name=name, **kwargs)
                self.initial_scale = float(initial_scale)
                self.squash = activation if callable(activation) else keras.activations.get(activation)

            def build(self, input_shape):
                start = self.initial_scale
                self.bias = self.add_weight(shape=input_shape[-1:], initializer="zeros", trainable=True)
                self.gain = self.add_weight(shape=input_shape[-1:],
                                            initializer=lambda shape, dtype=None: keras.ops.full(shape, start, dtype=dtype))

            def call(self, x):
                return self.squash(x * self.gain + self.bias)

            def get_config(self):
                base = super().get_config()
                base.update({"initial_scale": self.initial_scale,
                             "activation": keras.saving.serialize_keras_object(self.squash)})
                return base

            @classmethod
            def from_config(cls, config):
                squash = keras.saving.deserialize_keras_object(config.pop("activation"))
                return cls(activation=squash, **config)
        """, "other names, an initializer function, the offset created first, serialize_keras_object "
             "and from_config"),
        wrong(_feature_scale(init="""super().__init__(**kwargs)
            self.scale = self.add_weight(shape=(64,), initializer="ones")
            self.offset = self.add_weight(shape=(64,), initializer="zeros")""",
                             build="pass"),
              "weights of a fixed size created in __init__", match="before it has seen an input"),
        wrong(_feature_scale(build="""self.scale = self.add_weight(shape=(64,), initializer=keras.initializers.Constant(self.initial_scale))
            self.offset = self.add_weight(shape=(64,), initializer="zeros")"""),
              "weights sized 64 whatever the input", match="features"),
        wrong(_feature_scale(build="""n = input_shape[-1]
            self.scale = self.add_weight(shape=(n,), initializer="ones")
            self.offset = self.add_weight(shape=(n,), initializer="zeros")"""),
              "initial_scale ignored: scales start at 1", match="2.5"),
        wrong(_feature_scale(call="return inputs * self.initial_scale + self.offset"),
              "call multiplies by initial_scale, not by the weight", match="weights set to other values"),
        wrong(_feature_scale(config="return super().get_config()"),
              "get_config without initial_scale", match="does not return initial_scale"),
        wrong(_feature_scale(config="""raise NotImplementedError  # as if get_config were not written
            """).replace("        def get_config(self):\n            raise NotImplementedError  # as if get_config were not written\n", ""),
              "no get_config: Keras records numbers, not a function", match="get_config of its own"),
        wrong(_feature_scale(config="return {**super().get_config(), 'initial_scale': self.initial_scale}"),
              "get_config without the activation", match="lost the activation"),
        wrong(_feature_scale(call="return inputs * self.scale + self.offset"),
              "call forgets the activation", match="does not apply its activation"),
        wrong(_feature_scale(config="return {'initial_scale': self.initial_scale}"),
              "get_config without super()'s part: the name is lost", match="name"),
        wrong("""
            def __init__(self, initial_scale=1.0, activation=None):
                super().__init__()
                self.initial_scale = initial_scale
                self.activation = keras.activations.get(activation)

            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.initial_scale))
                self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

            def call(self, inputs):
                return self.activation(inputs * self.scale + self.offset)

            def get_config(self):
                return {**super().get_config(), "initial_scale": self.initial_scale,
                        "activation": keras.activations.serialize(self.activation)}
        """, "__init__ without **kwargs: Keras cannot pass a name", match="name|raised"),
        wrong(_feature_scale(build="""import tensorflow as tf
            n = input_shape[-1]
            self.scale = tf.Variable(np.full(n, self.initial_scale, dtype="float32"))
            self.offset = tf.Variable(np.zeros(n, dtype="float32"))"""),
              "tf.Variable: Keras does not track it, so fit never trains it", match="weight"),
        wrong(_feature_scale(build="""self.scale = self.add_weight(shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.initial_scale))""",
                             call="return inputs * self.scale"),
              "no offset", match="offset"),
        wrong(_feature_scale(build="""n = input_shape[-1]
            self.scale = self.add_weight(shape=(n,), initializer=keras.initializers.Constant(self.initial_scale), trainable=False)
            self.offset = self.add_weight(shape=(n,), initializer="zeros", trainable=False)"""),
              "weights that training cannot change", match="trainable"),
        wrong(_feature_scale(build="""self.scale = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.initial_scale))
            self.offset = self.add_weight(shape=(), initializer="zeros")"""),
              "one scale and one offset for all features", match="per feature"),
    ],
    "02.q4": [
        honest(_classifier("""self.scale = FeatureScale()
            self.hidden = keras.layers.Dense(width)
            self.out = keras.layers.Dense(10)""",
                           call="""x = keras.ops.relu(self.hidden(self.scale(inputs)))
            return keras.activations.softmax(self.out(x))"""),
               "activations applied in call with keras.ops and keras.activations"),
        honest("""
            def __init__(self, width, **kwargs):
                super().__init__(**kwargs)
                self.stack = keras.Sequential([FeatureScale(initial_scale=0.5),
                                               keras.layers.Dense(width, activation="relu"),
                                               keras.layers.Dense(10, activation="softmax")])

            def call(self, inputs, training=None):
                return self.stack(inputs, training=training)
        """, "a Sequential inside, a training argument, another initial scale"),
        honest("""
            def __init__(self, width=32, name="digit_classifier", **kwargs):
                super().__init__(name=name, **kwargs)
                self.steps = [FeatureScale(), keras.layers.Dense(width), keras.layers.ReLU(),
                              keras.layers.Dense(10), keras.layers.Softmax()]

            def call(self, inputs):
                x = inputs
                for step in self.steps:
                    x = step(x)
                return x
        """, "a list of layers looped over, ReLU and Softmax layers, a default width"),
        honest(_classifier("""self.pixels_scale = FeatureScale(1.0)
            self.dense_hidden = keras.layers.Dense(units=width, activation=keras.activations.relu)
            self.dense_out = keras.layers.Dense(units=10, activation=keras.activations.softmax)""",
                           call="""h = self.dense_hidden(self.pixels_scale(inputs))
            return self.dense_out(h)"""),
               "other attribute names, activations as functions"),
        wrong(_classifier(f"{_SCALE}\n            self.hidden = keras.layers.Dense(32, activation='relu')\n"
                          f"            {_OUT}"),
              "width ignored: always 32 units", match="parameters"),
        wrong(_classifier(f"{_HIDDEN}\n            {_OUT}", call="return self.out(self.hidden(inputs))"),
              "no FeatureScale", match="parameters|FeatureScale"),
        wrong(_classifier(f"{_SCALE}\n            self.hidden = keras.layers.Dense(width)\n            {_OUT}"),
              "a hidden layer without activation", match="ReLU"),
        wrong(_classifier(f"{_SCALE}\n            self.hidden = keras.layers.Dense(width, activation='sigmoid')\n"
                          f"            {_OUT}"),
              "sigmoid hidden units where ReLU was asked for", match="ReLU"),
        wrong(_classifier(f"{_SCALE}\n            {_HIDDEN}\n            self.out = keras.layers.Dense(10)"),
              "scores (logits) where probabilities were asked for", match="probabilities"),
        wrong(_classifier(f"{_SCALE}\n            {_HIDDEN}\n            {_OUT}",
                          call="return self.out(self.scale(self.hidden(inputs)))"),
              "FeatureScale applied after the hidden layer", match="parameters"),
        wrong(_classifier("self.width = width",
                          call="""x = FeatureScale()(inputs)
            x = keras.layers.Dense(self.width, activation="relu")(x)
            return keras.layers.Dense(10, activation="softmax")(x)"""),
              "new layers created in every call: nothing is kept or trained", match="parameters"),
    ],
    "02.q5": [
        honest(_q5(losses="loss={'digit': keras.losses.SparseCategoricalCrossentropy(), "
                          "'centre': keras.losses.MeanSquaredError()}",
                   metrics="metrics={'digit': [keras.metrics.SparseCategoricalAccuracy()], "
                           "'centre': [keras.metrics.MeanAbsoluteError()]}",
                   epochs=8),
               "loss and metric objects (other history keys)"),
        honest(_q5(metrics="metrics={'digit': 'sparse_categorical_accuracy', "
                           "'centre': 'mean_absolute_error'}",
                   weights="loss_weights=[0.25, 1.0]",
                   fit="history = model.fit(x_train, y_train, batch_size=64, epochs={epochs}, "
                       "validation_data=(x_val, y_val), verbose=0)",
                   epochs=14, optimizer="'adam'"),
               "metric names spelled out; loss weights as a list in the order of the outputs list "
               "(centre, digit)",
               prefix={"02.q1": _Q1_LISTS}),
        honest(_q5(losses="loss={'digit': 'sparse_categorical_crossentropy', 'centre': keras.losses.Huber()}",
                   metrics="metrics={'digit': 'accuracy', 'centre': 'mae'}",
                   optimizer="keras.optimizers.RMSprop(2e-3)", epochs=12),
               "a regularised model (the total loss holds model.losses), Huber loss, RMSprop",
               prefix={"02.q1": _Q1_REGULARISED}),
        honest(_q5(losses="loss={'digit': 'sparse_categorical_crossentropy', 'centre': 'mae'}",
                   metrics="metrics={'digit': ['acc'], 'centre': ['mae']}",
                   optimizer="keras.optimizers.Adam(1e-2)",
                   fit="stop = keras.callbacks.EarlyStopping(monitor='val_loss', patience=1, "
                       "restore_best_weights=True)\n"
                       "history = model.fit(x_train, y_train, validation_data=(x_val, y_val), "
                       "epochs={epochs}, callbacks=[stop], verbose=0)",
                   epochs=12),
               "early stopping that restores the best weights; 'acc'; mae as the centre's loss"),
        wrong(_q5(weights=""), "no loss weights", match="loss weights|loss_weights"),
        wrong(_q5(weights="loss_weights={'digit': 0.25, 'centre': 1.0}"),
              "the two weights swapped", match="loss weights|loss_weights"),
        wrong(_q5(weights="loss_weights=[1.0, 0.25]"),
              "a list of weights in the wrong order for a dict of outputs (Keras sorts them by name)",
              match="loss weights|loss_weights"),
        wrong(_q5(fit="history = model.fit(x_train, y_train, validation_data=(x_train, y_train), "
                      "epochs={epochs}, verbose=0)"),
              "the training data passed as validation data", match="validation"),
        wrong(_q5(fit="history = model.fit(x_train, y_train, validation_split=0.2, epochs={epochs}, "
                      "verbose=0)"),
              "validation_split: part of the training data, not x_val", match="validation"),
        wrong(_q5(fit="history = model.fit(x_train, y_train, epochs={epochs}, verbose=0)"),
              "no validation data", match="validation"),
        wrong(_q5(metrics="metrics={'digit': ['categorical_accuracy'], 'centre': ['mae']}"),
              "categorical accuracy on integer labels", match="accuracy"),
        wrong(_q5(metrics="metrics={'digit': ['accuracy'], 'centre': ['mse']}"),
              "mean squared error as the centre's metric", match="absolute"),
        wrong(_q5(losses="loss={'digit': 'categorical_crossentropy', 'centre': 'mse'}"),
              "categorical cross-entropy on integer labels: fit fails, no history",
              match="history"),
        wrong(_q5(epochs=1), "one epoch: not trained enough", match="test digits"),
    ],
}
