export { ERRORS, type ErrorCode } from './catalogue.js';
export { DeftError, isDeftError, toDeftError } from './deft-error.js';
