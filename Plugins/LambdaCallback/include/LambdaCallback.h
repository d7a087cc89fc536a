/*
 * LambdaCallback: Keras's LambdaCallback for the trainer, where the "lambdas" are C functions
 * exported by any shared library, called through libffi at the hooks the run names.
 *
 * Parameters: one string per Keras hook, each a signature, all none (unset) by default:
 *
 *   on_train_begin  on_train_end  on_epoch_begin  on_epoch_end
 *   on_train_batch_begin  on_train_batch_end      (Keras's aliases on_batch_begin and
 *                                                   on_batch_end are accepted; not both)
 *   on_test_begin  on_test_end  on_test_batch_begin  on_test_batch_end
 *   on_predict_begin  on_predict_end  on_predict_batch_begin  on_predict_batch_end
 *
 *   library_dir     string, default none: the directory relative library paths are taken from
 *
 * A signature names a library, a symbol, the arguments to pass and the return type:
 *
 *     LIB:SYMBOL(TYPE NAME, ...) [-> TYPE]
 *
 *     on_epoch_end = "./libmine.so:report(i32 epoch, f64 val_loss) -> i32"
 *     on_train_batch_end = "/opt/lib/libstats.so:count(i64 batch) -> i64"
 *     on_train_end = "./libmine.so:note()"                     (no arguments, returns void)
 *
 *   LIB     the shared library: everything before the last ':' that precedes '(' (so the path
 *           itself may hold ':' but not '('). An absolute path is used as it is. A relative
 *           path (one holding a '/', such as "./libmine.so" or "lib/libmine.so") is looked up
 *           in `library_dir` when that is set; otherwise in the working directory, then in
 *           the run directory. A bare file name (no '/') is found the way dlopen finds it,
 *           and only so (LD_LIBRARY_PATH, ld.so.cache, /lib, /usr/lib; never the working
 *           directory, where anyone may have dropped a file of that name), so
 *           "libm.so.6:cos(f64 loss) -> f64" works.
 *   SYMBOL  a C identifier: letters, digits and '_', not starting with a digit.
 *   TYPE    i32, i64, f32 or f64 (C: int32_t, int64_t, float, double); a return type may also
 *           be void, which is what an omitted "-> TYPE" means. "()" and "(void)" take no
 *           arguments. At most 32 arguments.
 *   NAME    what to pass:
 *             epoch  in on_epoch_begin/on_epoch_end the hook's epoch; in every other hook the
 *                    epoch in progress (the last one begun), or -1 before the first epoch
 *                    (and in `trainer evaluate` and `trainer predict`)
 *             batch  the batch index of a batch hook (an error in any other hook)
 *             other  the value of the log of that name in the hook's logs ("loss",
 *                    "val_accuracy", "learning_rate", ...). When the logs have no such name
 *                    (on_epoch_begin's logs are always empty, say) the argument is NaN for
 *                    f32/f64 and 0 for i32/i64, and a warning says so once per argument.
 *           A value given as an integer type is cut toward zero and held to the type's range
 *           (NaN gives 0).
 *
 * The return value: a non-zero i32 or i64 stops training (Keras: model.stop_training = True),
 * with an info message the first time each hook does it. An f32 or f64 return is ignored.
 *
 * Everything is checked when the plugin is created, before training: every signature is
 * parsed (an error names the parameter and the column), each library is loaded with
 * dlopen(RTLD_NOW | RTLD_LOCAL), each symbol looked up and its libffi call interface prepared.
 * A bad signature, a missing library or symbol fails the run before its first step (trainer
 * exits with status 2). A hook call then reuses its prepared buffers: it allocates nothing.
 * Libraries stay loaded until the process exits, as plugins do.
 *
 * The functions run on the training thread, one call at a time; they must not unwind (no C++
 * exception may leave them) and must return. Only the signature states their types: a
 * signature that does not match the function is undefined behaviour, as in C.
 *
 * The ABI fixes a plugin's hook table when the plugin is loaded, before any instance exists,
 * so this plugin provides all 14 hooks; a hook without a signature returns at once.
 *
 * Built by SwiftPM as a product, or without Swift:
 *
 *     cd Plugins/LambdaCallback
 *     cc -std=c11 -shared -fPIC -I ../../Sources/CTrainerPlugin/include \
 *        LambdaCallback.c binding.c signature.c -o libLambdaCallback.so -lffi -ldl
 */
#ifndef LAMBDA_CALLBACK_H
#define LAMBDA_CALLBACK_H

#define LAMBDA_CALLBACK_ID "LambdaCallback"
#define LAMBDA_CALLBACK_VERSION "1.0.0"

#endif /* LAMBDA_CALLBACK_H */
