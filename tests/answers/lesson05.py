"""Answers to exercise 05's questions: honest ones written differently, and typical mistakes."""
from answer_fixtures import honest, wrong

ANSWERS = {
    "05.q1": [
        honest("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y))
            dataset = dataset.shuffle(buffer_size=x.shape[0], seed=seed, reshuffle_each_iteration=True)
            dataset = dataset.batch(batch_size, drop_remainder=False)
            return dataset.prefetch(buffer_size=tf.data.AUTOTUNE)
        """, "every option spelled out, the buffer from x.shape"),
        honest("""
            images = tf.data.Dataset.from_tensor_slices(x)
            labels = tf.data.Dataset.from_tensor_slices(y)
            pairs = tf.data.Dataset.zip((images, labels))
            return pairs.shuffle(100_000, seed=seed).batch(batch_size).prefetch(1)
        """, "two data sets zipped, a buffer larger than the data, prefetch(1)"),
        honest("""
            n = len(x)
            order = tf.data.Dataset.range(n).shuffle(n, seed=seed).batch(batch_size)
            x_t, y_t = tf.constant(x), tf.constant(y)
            batches = order.map(lambda i: (tf.gather(x_t, i), tf.gather(y_t, i)),
                                num_parallel_calls=tf.data.AUTOTUNE)
            return batches.prefetch(tf.data.AUTOTUNE)
        """, "shuffles indices, then gathers whole batches with map"),
        honest("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y))
            dataset = dataset.shuffle(dataset.cardinality(), seed=seed)
            dataset = dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
            return dataset
        """, "the buffer from the data set's cardinality"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100, seed=seed)
            return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        """, "a shuffle buffer of 100, far smaller than the data", match="buffer|whole data set"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(batch_size, seed=seed)
            return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        """, "a shuffle buffer of one batch", match="buffer|whole data set"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y))
            dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=False)
            return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        """, "shuffled once, the same order every epoch", match="reshuffled"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
            return dataset.shuffle(len(x), seed=seed).prefetch(tf.data.AUTOTUNE)
        """, "shuffles batches, not examples", match="batches|batch after"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
            return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
        """, "drops the last, smaller batch", match="keep the last batch"),
        wrong("""
            return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).batch(batch_size)
        """, "no prefetch", match="prefetch"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
            return dataset.prefetch(tf.data.AUTOTUNE).batch(batch_size)
        """, "prefetches examples, not batches", match="prefetch"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
            return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        """, "the seed is not used", match="seed"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed).cache()
            return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        """, "cache after the shuffle: every epoch replays the first order", match="reshuffled"),
        wrong("""
            dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
            return dataset.batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE)
        """, "repeats forever: an epoch never ends", match="forever|never ends"),
    ],
    "05.q2": [
        honest("""
            per_example = keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
            return keras.ops.mean(per_example) + keras.ops.sum(model.losses)
        """, "the loss function and keras.ops"),
        honest("""
            picked = tf.gather(y_pred, tf.cast(y_true, tf.int32), batch_dims=1)
            loss = -tf.reduce_mean(tf.math.log(picked))
            return loss + tf.add_n(model.losses) if model.losses else loss
        """, "the cross-entropy by hand with tf, tf.add_n of the penalties"),
        honest("""
            loss = keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
            for penalty in model.losses:
                loss = loss + penalty
            return loss
        """, "adds the penalties one by one"),
        honest("""
            loss_fn = keras.losses.get("sparse_categorical_crossentropy")
            return tf.reduce_mean(loss_fn(y_true, y_pred)) + sum(model.losses, 0.0)
        """, "the loss looked up by name, sum with a float start"),
        wrong("""
            return keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
        """, "forgets model.losses", match="regularis"),
        wrong("""
            loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y_true, y_pred)
            return loss + sum(model.losses)
        """, "treats the probabilities as logits", match="wrong values"),
        wrong("""
            loss = keras.losses.SparseCategoricalCrossentropy(reduction="sum")(y_true, y_pred)
            return loss + sum(model.losses)
        """, "sums over the batch instead of averaging", match="wrong values"),
        wrong("""
            loss = keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
            return loss + (tf.reduce_mean(model.losses) if model.losses else 0.0)
        """, "averages the penalties instead of adding them", match="regularis"),
        wrong("""
            loss = keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
            return loss + 1e-3 * sum(tf.reduce_sum(w ** 2) for w in model.trainable_weights)
        """, "recomputes an L2 penalty with its own factor instead of reading model.losses",
              match="regularis|wrong values"),
        wrong("""
            loss = keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred) + sum(model.losses)
            return float(loss)
        """, "a Python float: no gradient flows through it", match="gradient|tensor"),
    ],
    "05.q3": [
        honest("""
            total, right, count = 0.0, 0, 0
            for images, labels in dataset:
                probabilities = model(images, training=False).numpy()
                labels = labels.numpy()
                total += float(np.sum(keras.losses.sparse_categorical_crossentropy(labels, probabilities)))
                right += int(np.sum(probabilities.argmax(axis=1) == labels))
                count += len(labels)
            return total / count, right / count
        """, "sums and counts in NumPy, no metric objects"),
        honest("""
            mean_loss = keras.metrics.Mean()
            accuracy = keras.metrics.SparseCategoricalAccuracy()
            for images, labels in dataset:
                probabilities = model.predict_on_batch(images)
                mean_loss.update_state(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
                accuracy.update_state(labels, probabilities)
            return float(mean_loss.result()), float(accuracy.result())
        """, "predict_on_batch, a Mean of per-example losses"),
        honest("""
            cross_entropy = keras.metrics.SparseCategoricalCrossentropy()
            accuracy = keras.metrics.SparseCategoricalAccuracy()

            @tf.function
            def step(images, labels):
                probabilities = model(images)
                cross_entropy.update_state(labels, probabilities)
                accuracy.update_state(labels, probabilities)

            for images, labels in dataset:
                step(images, labels)
            return float(cross_entropy.result()), float(accuracy.result())
        """, "the cross-entropy metric, a tf.function step, model(x) without training"),
        honest("""
            probabilities, labels = [], []
            for images, y in dataset:
                probabilities.append(model(images, training=False))
                labels.append(y)
            probabilities, labels = tf.concat(probabilities, 0), tf.concat(labels, 0)
            accuracy = keras.metrics.SparseCategoricalAccuracy()
            accuracy.update_state(labels, probabilities)
            return float(total_loss(model, labels, probabilities)), float(accuracy.result())
        """, "all predictions first, then total_loss and one metric update"),
        honest("""
            mean_loss = keras.metrics.Mean()
            accuracy = keras.metrics.Accuracy()
            loss_fn = keras.losses.SparseCategoricalCrossentropy()
            for images, labels in dataset:
                probabilities = model(images, training=False)
                n = tf.cast(tf.shape(labels)[0], tf.float32)
                mean_loss.update_state(loss_fn(labels, probabilities), sample_weight=n)
                accuracy.update_state(labels, tf.argmax(probabilities, axis=1))
            return mean_loss.result().numpy(), accuracy.result().numpy()
        """, "keras.metrics.Accuracy on the predicted classes, NumPy scalars returned"),
        wrong("""
            mean_loss = keras.metrics.Mean()
            accuracy = keras.metrics.SparseCategoricalAccuracy()
            for images, labels in dataset:
                probabilities = model(images, training=True)
                mean_loss.update_state(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
                accuracy.update_state(labels, probabilities)
            return float(mean_loss.result()), float(accuracy.result())
        """, "runs the model in training mode", match="training"),
        wrong("""
            losses, right, count = [], 0, 0
            for images, labels in dataset:
                probabilities = model(images, training=False)
                losses.append(float(keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)))
                right += int(np.sum(np.argmax(probabilities, axis=1) == labels.numpy()))
                count += len(labels)
            return float(np.mean(losses)), right / count
        """, "the plain mean of batch means: the small last batch counts too much",
              match="weight each batch"),
        wrong("""
            global evaluate_loss, evaluate_accuracy
            if "evaluate_accuracy" not in globals():
                evaluate_loss = keras.metrics.Mean()
                evaluate_accuracy = keras.metrics.SparseCategoricalAccuracy()
            for images, labels in dataset:
                probabilities = model(images, training=False)
                evaluate_loss.update_state(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
                evaluate_accuracy.update_state(labels, probabilities)
            return float(evaluate_loss.result()), float(evaluate_accuracy.result())
        """, "metrics made once and never reset: each call adds to the last",
              match="reset|call"),
        wrong("""
            mean_loss = keras.metrics.Mean()
            accuracy = keras.metrics.Accuracy()
            for images, labels in dataset:
                probabilities = model(images, training=False)
                mean_loss.update_state(keras.losses.sparse_categorical_crossentropy(labels, probabilities))
                accuracy.update_state(labels, probabilities)
            return float(mean_loss.result()), float(accuracy.result())
        """, "keras.metrics.Accuracy compares labels with probabilities", match="accuracy|raised"),
        wrong("""
            images, labels = next(iter(dataset))
            probabilities = model(images, training=False)
            loss = keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)
            accuracy = keras.metrics.SparseCategoricalAccuracy()
            accuracy.update_state(labels, probabilities)
            return float(loss), float(accuracy.result())
        """, "evaluates the first batch only", match="accuracy|loss"),
    ],
    "05.q4": [
        honest("""
            optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
                return loss

            losses = []
            for x, y in dataset.take(steps):
                losses.append(float(step(x, y)))
            return losses
        """, "SGD with momentum, apply_gradients(zip(...))"),
        honest("""
            optimizer = keras.optimizers.RMSprop(learning_rate=2e-3)
            batches = iter(dataset)
            losses = []
            for _ in range(steps):
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    probabilities = model(x, training=True)
                    loss = keras.losses.SparseCategoricalCrossentropy()(y, probabilities) + sum(model.losses)
                gradients = tape.gradient(loss, model.trainable_variables)
                optimizer.apply(gradients, model.trainable_variables)
                losses.append(loss.numpy())
            return losses
        """, "eager, RMSprop, an iterator and next(), the loss written inline, NumPy scalars"),
        honest("""
            optimizer = keras.optimizers.AdamW(learning_rate=5e-3)

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            losses = []
            for i, (x, y) in enumerate(dataset):
                if i == steps:
                    break
                losses.append(float(step(x, y)))
            return losses
        """, "AdamW, enumerate and break"),
        honest("""
            optimizer = keras.optimizers.Adam()
            optimizer.learning_rate = 1e-2
            variables = model.trainable_variables

            @tf.function(reduce_retracing=True)
            def step(batch):
                x, y = batch
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, variables), variables)
                return loss

            return [float(step(batch)) for batch in dataset.take(steps)]
        """, "Adam with its learning rate set afterwards, the batch passed whole"),
        wrong("""
            optimizer = keras.optimizers.Adam(3e-3)
            loss_fn = keras.losses.SparseCategoricalCrossentropy()

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            return [float(step(x, y)) for x, y in dataset.take(steps)]
        """, "the loss leaves out model.losses", match="model.losses|regularis"),
        wrong("""
            optimizer = keras.optimizers.Adam(3e-3)

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            return [float(step(x, y)) for x, y in dataset.take(steps)]
        """, "runs the model without training=True", match="training"),
        wrong("""
            optimizer = keras.optimizers.Adam(3e-3)

            @tf.function
            def train_step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            losses = []
            for step, (x, y) in enumerate(dataset):
                losses.append(float(train_step(x, y)))
                if step > steps:
                    break
            return losses
        """, "an off-by-one: two batches too many", match="losses for steps|drew"),
        wrong("""
            optimizer = keras.optimizers.Adam(3e-3)

            @tf.function
            def train_step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            return [float(train_step(x, y)) for x, y in dataset.take(steps - 1)]
        """, "an off-by-one: one batch too few", match="losses for steps"),
        wrong("""
            optimizer = keras.optimizers.SGD(learning_rate=1e-3)

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            return [float(step(x, y)) for x, y in dataset.take(steps)]
        """, "a learning rate far too small for 300 steps", match="test digits"),
        wrong("""
            optimizer = keras.optimizers.SGD(learning_rate=0.05)

            @tf.function
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                gradients = tape.gradient(loss, model.trainable_variables)
                optimizer.apply([-g for g in gradients], model.trainable_variables)
                return loss

            return [float(step(x, y)) for x, y in dataset.take(steps)]
        """, "climbs the loss: the update's sign is wrong", match="did not go down|NaN"),
    ],
    "05.q5": [
        honest("""
            if not val_losses:
                return False
            return len(val_losses) - 1 - int(np.argmin(val_losses)) >= patience
        """, "epochs since the first occurrence of the best loss"),
        honest("""
            best, wait = float("inf"), 0
            for loss in val_losses:
                if loss < best:
                    best, wait = loss, 0
                else:
                    wait += 1
            return wait >= patience
        """, "a counter, as EarlyStopping keeps one"),
        honest("""
            if len(val_losses) <= patience:
                return False
            earlier, recent = np.array(val_losses[:-patience]), np.array(val_losses[-patience:])
            return bool(np.all(recent >= earlier.min()))
        """, "NumPy arrays, every recent loss compared with the best earlier one"),
        honest("""
            if len(val_losses) > patience:
                return min(val_losses) >= min(val_losses[:len(val_losses) - patience])
            return False
        """, "the best of all epochs against the best of the earlier ones"),
        wrong("""
            return len(val_losses) > patience and val_losses[-1] > val_losses[-2]
        """, "compares the last epoch with the one before", match="was expected"),
        wrong("""
            if len(val_losses) <= patience:
                return False
            return min(val_losses[-patience:]) > min(val_losses[:-patience])
        """, "counts an equal loss as an improvement", match="was expected"),
        wrong("""
            if len(val_losses) <= patience:
                return False
            recent = val_losses[-patience - 1:]
            return all(b >= a for a, b in zip(recent, recent[1:]))
        """, "no improvement on the previous epoch instead of on the best", match="was expected"),
        wrong("""
            if len(val_losses) <= patience:
                return False
            return min(val_losses[-patience:]) >= val_losses[-patience - 1]
        """, "compares with the epoch just before, not the best before", match="was expected"),
        wrong("""
            return len(val_losses) > patience and len(val_losses) - int(np.argmin(val_losses)) >= patience
        """, "stops one epoch early", match="was expected"),
        wrong("""
            if len(val_losses) <= patience:
                return True
            return min(val_losses[-patience:]) >= min(val_losses[:-patience])
        """, "stops when there are too few epochs", match="was expected"),
    ],
    "05.q6": [
        honest("""
            with tf.GradientTape() as tape:
                probabilities = model(x, training=True)
                loss = total_loss(model, y, probabilities)
            optimizer.global_clipnorm = max_norm
            optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
            return loss
        """, "the optimizer's global_clipnorm set for the step"),
        honest("""
            variables = model.trainable_variables
            with tf.GradientTape() as tape:
                loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=True)) + sum(model.losses)
            grads = tape.gradient(loss, variables)
            norm = tf.linalg.global_norm(grads)
            scale = tf.minimum(1.0, max_norm / norm)
            optimizer.apply_gradients(zip([g * scale for g in grads], variables))
            return loss
        """, "the scale computed by hand from tf.linalg.global_norm, apply_gradients(zip(...))"),
        honest("""
            @tf.function
            def step(images, labels):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, labels, model(images, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                norm = keras.ops.sqrt(sum(keras.ops.sum(keras.ops.square(g)) for g in grads))
                factor = keras.ops.minimum(1.0, max_norm / norm)
                optimizer.apply([g * factor for g in grads], model.trainable_variables)
                return loss

            return float(step(x, y))
        """, "a tf.function step, the global norm with keras.ops, a Python float returned"),
        honest("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            clipped, norm = tf.clip_by_global_norm(tape.gradient(loss, model.trainable_variables), max_norm)
            optimizer.apply(clipped, model.trainable_variables)
            return loss.numpy()
        """, "tf.clip_by_global_norm, the norm kept, a NumPy scalar returned"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            grads = [tf.clip_by_norm(g, max_norm) for g in tape.gradient(loss, model.trainable_variables)]
            optimizer.apply(grads, model.trainable_variables)
            return loss
        """, "clips each gradient by its own norm", match="each variable"),
        wrong("""
            optimizer.clipnorm = max_norm
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
            return loss
        """, "the optimizer's clipnorm: per variable", match="each variable"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
            return loss
        """, "forgets to clip", match="without clipping"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x))
            grads, _ = tf.clip_by_global_norm(tape.gradient(loss, model.trainable_variables), max_norm)
            optimizer.apply(grads, model.trainable_variables)
            return loss
        """, "runs the model without training=True", match="training mode"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            norm = tf.linalg.global_norm(grads)
            optimizer.apply([g * max_norm / norm for g in grads], model.trainable_variables)
            return loss
        """, "always rescales to max_norm, even small gradients", match="differ"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = total_loss(model, y, model(x, training=True))
            grads = [tf.clip_by_value(g, -max_norm, max_norm) for g in tape.gradient(loss, model.trainable_variables)]
            optimizer.apply(grads, model.trainable_variables)
            return loss
        """, "clips each number (clipvalue)", match="differ"),
        wrong("""
            with tf.GradientTape() as tape:
                loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=True))
            grads, _ = tf.clip_by_global_norm(tape.gradient(loss, model.trainable_variables), max_norm)
            optimizer.apply(grads, model.trainable_variables)
            return loss
        """, "leaves model.losses out", match="the loss clipped_step returns"),
    ],
    "05.q7": [
        honest("""
            step = tf.Variable(0, dtype=tf.int64)
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=3)
            if tf.train.latest_checkpoint(directory):
                checkpoint.restore(tf.train.latest_checkpoint(directory))
            losses = []
            while step < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(loss.numpy())
                step.assign_add(1)
                if int(step) % 5 == 0 or int(step) == steps:
                    manager.save(checkpoint_number=step)
            return losses
        """, "eager steps, tf.train.latest_checkpoint, saves every 5 steps and at the end"),
        honest("""
            import os
            step = tf.Variable(0, dtype=tf.int64)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
            path = os.path.join(directory, "state")
            if os.path.exists(path + ".index"):
                checkpoint.read(path)

            @tf.function
            def train_step(x, y):
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            losses = []
            for x, y in dataset.skip(int(step)).take(steps - int(step)):
                losses.append(float(train_step(x, y)))
                step.assign_add(1)
            checkpoint.write(path)
            return losses
        """, "checkpoint.write/read at one path, the data position by skipping the steps done"),
        honest("""
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=1)
            manager.restore_or_initialize()

            @tf.function(reduce_retracing=True)
            def train_step(batch):
                x, y = batch
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                return loss

            losses = []
            while int(optimizer.iterations) < steps:
                losses.append(float(train_step(next(batches))))
            manager.save()
            return losses
        """, "the optimizer's iterations as the step counter, restore_or_initialize"),
        wrong("""
            step = tf.Variable(0, dtype=tf.int64)
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, step=step, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            checkpoint.restore(manager.latest_checkpoint)
            losses = []
            while int(step) < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step.assign_add(1)
            manager.save()
            return losses
        """, "the optimizer left out of the checkpoint: Adam starts again", match="optimizer"),
        wrong("""
            step = tf.Variable(0, dtype=tf.int64)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            checkpoint.restore(manager.latest_checkpoint)
            batches = iter(dataset)
            losses = []
            while int(step) < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step.assign_add(1)
            manager.save()
            return losses
        """, "the data starts over after the restart", match="position in the data"),
        wrong("""
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            checkpoint.restore(manager.latest_checkpoint)
            step = 0
            losses = []
            while step < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step += 1
            manager.save()
            return losses
        """, "a Python step counter, not saved: it starts again at 0", match="step counter"),
        wrong("""
            step = tf.Variable(0, dtype=tf.int64)
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(optimizer=optimizer, step=step, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            checkpoint.restore(manager.latest_checkpoint)
            losses = []
            while int(step) < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step.assign_add(1)
            manager.save()
            return losses
        """, "the model left out of the checkpoint", match="weights were not restored"),
        wrong("""
            step = tf.Variable(0, dtype=tf.int64)
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            losses = []
            while int(step) < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step.assign_add(1)
            manager.save()
            return losses
        """, "saves but never restores", match="step counter"),
        wrong("""
            step = tf.Variable(0, dtype=tf.int64)
            batches = iter(dataset)
            checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, step=step, data=batches)
            manager = tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)
            checkpoint.restore(manager.latest_checkpoint)
            losses = []
            while int(step) < steps:
                x, y = next(batches)
                with tf.GradientTape() as tape:
                    loss = total_loss(model, y, model(x, training=True))
                optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
                losses.append(float(loss))
                step.assign_add(1)
                if int(step) % 50 == 0:
                    manager.save()
            return losses
        """, "saves only every 50 steps, never before returning", match="saved no checkpoint"),
    ],
}
