"""Keep jax out of the Rasa process.

TensorFlow 2.12 imports jax whenever it is installed (the tensorflow package requires it), only
so that tf.lite can convert jax functions, which Vigie never does: jax and jaxlib's library held
about 67 MB of the Rasa process's memory (in process, importing TensorFlow and DIET: 656 MB with
them, 588 without). tf.lite catches the ImportError that a module marked absent raises; import
this module before TensorFlow.
"""

import sys

sys.modules.setdefault("jax", None)  # type: ignore[arg-type]
