// Every option of a training job (the train config of docs/training.md), grouped as the form shows them, with
// what each one does and when to change it. The server fills in the dataset, the labels and the classes.

/** Choices of a select: [value, label]. */
const ARCHITECTURES = [
  ['resnet18', 'ResNet-18 (fast; start here)'],
  ['resnet34', 'ResNet-34'],
  ['resnet50', 'ResNet-50 (slowest ResNet)'],
  ['vgg11_bn', 'VGG-11 (batch norm)'],
  ['vgg16_bn', 'VGG-16 (batch norm)'],
  ['inception', 'Inception (GoogLeNet)'],
  ['densenet121', 'DenseNet-121'],
  ['unet', 'U-Net (segmentation)'],
];

export const GROUPS = [
  { id: 'network', title: 'Network', intro: 'The shape and size of the model.' },
  { id: 'data', title: 'Training data', intro: 'Which images the model learns from, and how they are shown.' },
  { id: 'learning', title: 'Learning', intro: 'How the model corrects itself after each batch of images.' },
  { id: 'start', title: 'Starting point and stopping', intro: 'Where training begins and when it ends.' },
  { id: 'advanced', title: 'Several machines', intro: 'Only matters when the server trains across a cluster.',
    collapsed: true },
];

/**
 * The options. `type`: select | number | text | checkbox. `integer` numbers must be whole. `show(config, ctx)` hides
 * an option that does not apply; `disabled(value, ctx)` on a choice greys it out with a reason.
 */
export const OPTIONS = [
  {
    key: 'architecture', group: 'network', label: 'Architecture', type: 'select', choices: ARCHITECTURES,
    default: 'resnet18',
    disabled: (v, ctx) => {
      if (ctx.task === 'segmentation') return v === 'unet' ? null : 'a segmenter is a U-Net';
      if (v === 'unet') return 'the U-Net segments; it is for segmentation use cases';
      return ctx.task === 'detection' && !v.startsWith('resnet') ? 'a detector is built on a ResNet' : null;
    },
    help: 'The family and depth of the network. ResNet-18 trains quickly and is hard to beat on small datasets; deeper '
      + 'networks (ResNet-50, VGG-16, DenseNet-121) can learn finer patterns but need more studies and much more time.',
  },
  {
    key: 'width', group: 'network', label: 'Width', type: 'number', min: 0.01, max: 1, step: 0.125, default: 0.25,
    help: 'How many filters each layer has, as a share of the published network (1 = full size). A quarter of the '
      + 'width costs about a sixteenth of the computing time, which keeps training practical on an ordinary server. '
      + 'Use 1 when starting from published pretrained weights.',
  },
  {
    key: 'inputSize', group: 'network', label: 'Input size (pixels)', type: 'number', integer: true, min: 16,
    max: 1024, step: 16, default: 128,
    help: 'Each image is shrunk to a square of this side before the model sees it. Larger keeps more detail (fine '
      + 'calcifications, small lesions) but training time grows with the square of the side. For density, 128 is '
      + 'usually enough. It cannot exceed the side the dataset was prepared with.',
    check: (n, ctx) => (ctx.task !== 'classification' && ctx.task && n % 16 !== 0
      ? `a multiple of 16 for a ${ctx.task === 'detection' ? 'detector' : 'segmenter'}` : null),
  },
  {
    key: 'patchSize', group: 'network', label: 'Training patch (pixels)', type: 'number', integer: true, min: 16,
    max: 1024, step: 16, default: '', optional: true, show: (c, ctx) => ctx.task === 'segmentation',
    help: 'Blank trains on the whole input. A smaller side trains each step on a patch of every image, a third of '
      + 'them centred on a finding, while validation and prediction still see the whole image: small findings such '
      + 'as calcifications learn far faster at full resolution this way. A multiple of 16, at most the input size.',
    check: (n, ctx, values) => (n % 16 !== 0 ? 'a multiple of 16'
      : n > Number(values.inputSize) ? 'at most the input size' : null),
  },
  {
    key: 'trainingStudies', group: 'data', label: 'Training set size (studies)', type: 'number', integer: true, min: 0,
    step: 10, default: 0,
    help: '0 uses every labelled training study. A number trains on a random subset of that many, keeping the '
      + 'categories in proportion: run the same design at 25, 50 and 100 to see whether more annotation would help.',
  },
  {
    key: 'validationFraction', group: 'data', label: 'Held out for validation', type: 'number', min: 0.05, max: 0.95,
    step: 0.05, default: 0.2, unit: 'share of patients',
    help: 'This share of the patients is set aside and never trained on; the kappa, AUC and confusion matrix on the '
      + 'model card come from them. A patient is never on both sides. 0.2 (one in five) is usual.',
  },
  {
    key: 'sampling', group: 'data', label: 'Sampling', type: 'select', default: 'random',
    choices: [
      ['random', 'Random'],
      ['equal_class', 'Equal class'],
      ['positives_only', 'Positives only'],
    ],
    disabled: (v, ctx) => (v === 'positives_only' && ctx.task !== 'detection' && ctx.categories
      && ctx.categories.length > 2 ? 'only for use cases with two categories' : null),
    help: 'Random shows the categories as often as they occur. Equal class shows each category equally often, so a rare '
      + 'category (say, extremely dense) is not drowned out; it needs at least 10 labelled studies of every category. '
      + 'Positives only trains on the positive category of a two-category use case. For a detector, an image\'s '
      + 'category is whether it holds a box: equal class alternates images with and without findings, positives only '
      + 'shows only images with boxes.',
  },
  {
    key: 'augmentation', group: 'data', label: 'Augmentation', type: 'select', default: 'flips_rotations',
    choices: [['none', 'None'], ['flips_rotations', 'Flips and rotations']],
    help: 'Shows each image randomly mirrored and slightly turned, so the model learns that orientation does not '
      + 'change the answer. Helps most with few studies; choose none when position carries meaning.',
  },
  {
    key: 'maxRotation', group: 'data', label: 'Largest rotation (degrees)', type: 'number', min: 0, max: 180, step: 1,
    default: 15, show: (c) => c.augmentation === 'flips_rotations',
    help: 'Each image is turned by a random angle up to this. 10–20° mimics positioning differences; large angles '
      + 'produce images no reader would see.',
  },
  {
    key: 'loss', group: 'learning', label: 'Loss function', type: 'select', default: 'categorical_cross_entropy',
    // a detector always trains with sigmoid focal loss, a segmenter with soft Dice plus cross-entropy
    show: (c, ctx) => ctx.task !== 'detection' && ctx.task !== 'segmentation',
    choices: [
      ['categorical_cross_entropy', 'Categorical cross-entropy'],
      ['sigmoid_focal', 'Sigmoid focal loss'],
      ['mean_squared_error', 'Mean squared error'],
      ['mean_absolute_error', 'Mean absolute error'],
    ],
    help: 'How a wrong answer is scored. Cross-entropy is the standard choice. Focal loss pays more attention to '
      + 'difficult studies, useful when one category is rare. The squared and absolute errors punish confident '
      + 'mistakes less harshly, which can help with noisy labels.',
  },
  {
    key: 'focalAlpha', group: 'learning', label: 'Focal alpha', type: 'number', min: 0, max: 1, step: 0.05,
    default: 0.25, show: (c, ctx) => c.loss === 'sigmoid_focal' || ctx.task === 'detection',
    help: 'The weight of the true category against the others (0 to 1). 0.25 is the published default.',
  },
  {
    key: 'focalGamma', group: 'learning', label: 'Focal gamma', type: 'number', min: 0, step: 0.5, default: 2,
    show: (c, ctx) => c.loss === 'sigmoid_focal' || ctx.task === 'detection',
    help: 'How strongly easy studies are ignored: 0 is plain cross-entropy, 2 is usual, higher focuses harder on '
      + 'the difficult ones.',
  },
  {
    key: 'optimizer', group: 'learning', label: 'Optimizer', type: 'select', default: 'adam',
    choices: [['adam', 'Adam'], ['sgd', 'SGD with momentum']],
    help: 'Adam adapts its step size by itself and works out of the box. SGD can end slightly better but needs a '
      + 'carefully chosen (usually larger) learning rate.',
  },
  {
    key: 'learningRate', group: 'learning', label: 'Learning rate', type: 'number', min: 0.000001, max: 1, step: 'any',
    default: 0.001,
    help: 'How big each correction is. Too large and the loss jumps about or grows; too small and training crawls. '
      + '0.001 suits Adam; try 0.01 for SGD.',
  },
  {
    key: 'schedule', group: 'learning', label: 'Learning-rate schedule', type: 'select', default: 'constant',
    choices: [['constant', 'Constant'], ['poly', 'Decaying (poly)']],
    help: 'Constant keeps the rate for the whole run. Decaying lowers it smoothly to almost nothing by the last '
      + 'epoch (nnU-Net\'s schedule), so the final epochs settle instead of jumping about; choose the epochs the '
      + 'run will really get, since the decay is spread over all of them.',
  },
  {
    key: 'batchSize', group: 'learning', label: 'Batch size (images)', type: 'number', integer: true, min: 1,
    max: 4096, step: 1, default: 16,
    help: 'Images looked at together before each correction. Small batches (8–32) fit in a modest server\'s memory '
      + 'and often generalise well; larger ones make steadier, faster epochs on big machines.',
  },
  {
    key: 'maxEpochs', group: 'start', label: 'Maximum epochs', type: 'number', integer: true, min: 1, max: 10000,
    step: 1, default: 15,
    help: 'One epoch is one pass over all training images. More epochs give the model more time to learn; the best '
      + 'epoch is kept, so running a few too many does no harm beyond the time.',
  },
  {
    key: 'earlyStopping', group: 'start', label: 'Stop early when it stops improving', type: 'checkbox', default: true,
    help: 'Ends training when the watched validation measure has not improved for a while, saving time and '
      + 'avoiding a model that memorises its training studies.',
  },
  {
    key: 'patience', group: 'start', label: 'Patience (epochs)', type: 'number', integer: true, min: 1, step: 1,
    default: 5, show: (c) => c.earlyStopping,
    help: 'How many epochs without improvement to wait before stopping.',
  },
  {
    key: 'monitor', group: 'start', label: 'Keep the epoch with the best', type: 'select', default: 'kappa',
    choices: [['kappa', 'Kappa (linear-weighted)'], ['auc', 'AUC'], ['map', 'mAP (boxes)'], ['dice', 'Dice (masks)'],
      ['loss', 'Validation loss (lowest)']],
    disabled: (v, ctx) => {
      if (v === 'loss') return null;
      const judges = { kappa: 'classification', auc: 'classification', map: 'detection', dice: 'segmentation' };
      const who = { classification: 'classifiers', detection: 'detectors', segmentation: 'segmenters' };
      return judges[v] === (ctx.task || 'classification') ? null : `judges ${who[judges[v]]}`;
    },
    help: 'The validation measure that decides which epoch\'s weights become the model (and when to stop early). '
      + 'Kappa rewards agreeing with your reading and counts near misses (B for C) as half right; AUC rewards '
      + 'ranking studies well. A detector is judged by mAP: how well its boxes match yours, averaged over overlap '
      + 'thresholds from 0.5 to 0.95 and over the categories. A segmenter is judged by Dice: how much its masks '
      + 'overlap yours, averaged over the categories.',
  },
  {
    key: 'init', group: 'start', label: 'Starting weights', type: 'select', default: 'random',
    choices: [['random', 'Random (from scratch)'], ['pretrained', 'Pretrained']],
    help: 'Pretrained weights start from a network that has already learnt to see (for example on photographs); '
      + 'with few studies that usually gives a better model sooner. A detector takes the first layers (its '
      + 'backbone) from them and learns its box layers from scratch.',
  },
  {
    key: 'weights', group: 'start', label: 'Weights name', type: 'text', default: '',
    show: (c) => c.init === 'pretrained', placeholder: 'e.g. imagenet-resnet18',
    help: 'The name of a weights file your RadLab admin placed in the workspace\'s weights folder. It must match the '
      + 'architecture and width (published weights: width 1).',
  },
  {
    key: 'seed', group: 'start', label: 'Random seed', type: 'number', integer: true, step: 1, default: 1,
    help: 'Fixes the split, the sampling, the augmentation and the starting weights, so the same settings give the '
      + 'same model. Change it to see how much results vary by chance.',
  },
  {
    key: 'syncEvery', group: 'advanced', label: 'Average every (steps)', type: 'number', integer: true, min: 1,
    step: 1, default: 1,
    help: 'On a cluster, each machine trains its own copy and the copies are averaged every this many steps. 1 keeps '
      + 'them identical; larger values send less over the network but let the copies drift apart.',
  },
  {
    key: 'halfPrecisionUpdates', group: 'advanced', label: 'Send updates in half precision', type: 'checkbox',
    default: false,
    help: 'Halves the network traffic between machines at the cost of converting every value. Worth it across a '
      + 'network, not on a single server.',
  },
  {
    key: 'exchange', group: 'advanced', label: 'Average the copies', type: 'select', default: 'driver',
    choices: [['driver', 'Through the server'], ['ring', 'Among the machines (ring)']],
    help: 'Through the server, every average is a small Spark job that sends each machine\'s changes to the server '
      + 'and back. In a ring the machines pass the changes among themselves, so the server\'s network link no longer '
      + 'limits the cluster: much faster when averaging every step. The ring runs every copy at once, so the cluster '
      + 'needs a free slot for each, and its machines must reach each other on any port.',
  },
];

/** The epoch-keeping measure of a task: a classifier's kappa, a detector's mAP, a segmenter's Dice. */
export function taskMonitor(task) {
  return task === 'detection' ? 'map' : task === 'segmentation' ? 'dice' : 'kappa';
}

/** The form's starting values (for a use case of `task`: its monitor, and a segmenter's U-Net). */
export function defaults(task) {
  const values = Object.fromEntries(OPTIONS.map((o) => [o.key, o.default]));
  values.monitor = taskMonitor(task);
  if (task === 'segmentation') values.architecture = 'unet';
  return values;
}

/** Whether an option applies to the config as it stands. */
export function applies(option, values, ctx) {
  return !option.show || option.show(values, ctx);
}

/**
 * The train config to send: every option that applies, typed. Returns {config, errors} where errors maps a field
 * to what is wrong with it.
 */
export function buildConfig(values, ctx) {
  const config = {};
  const errors = {};
  OPTIONS.forEach((o) => {
    if (!applies(o, values, ctx)) return;
    const v = values[o.key];
    if (o.type === 'checkbox') {
      config[o.key] = !!v;
    } else if (o.type === 'number') {
      const text = String(v ?? '').trim();
      const n = Number(text);
      if (text === '' && o.optional) return; // left blank: the server's default
      if (text === '' || !Number.isFinite(n)) errors[o.key] = 'enter a number';
      else if (o.integer && !Number.isInteger(n)) errors[o.key] = 'enter a whole number';
      else if (o.min !== undefined && n < o.min) errors[o.key] = `at least ${o.min}`;
      else if (o.max !== undefined && n > o.max) errors[o.key] = `at most ${o.max}`;
      else if (o.check && o.check(n, ctx, values)) errors[o.key] = o.check(n, ctx, values);
      else config[o.key] = n;
    } else if (o.type === 'text') {
      const text = String(v ?? '').trim();
      if (!text) errors[o.key] = 'required';
      else config[o.key] = text;
    } else {
      const reason = o.disabled && o.disabled(v, ctx);
      if (reason) errors[o.key] = reason;
      else config[o.key] = v;
    }
  });
  return { config, errors };
}
