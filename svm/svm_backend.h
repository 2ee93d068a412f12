/* The SVM backend's ops (core/backend.h). */
#ifndef KESTREL_SVM_SVM_BACKEND_H
#define KESTREL_SVM_SVM_BACKEND_H

#include "core/backend.h"

extern const struct backend_ops svm_backend;

#endif
