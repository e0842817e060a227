package io.bosun.apiserver.admission;

/** The operation being admitted, as upstream's admission.Operation. */
public enum Operation { CREATE, UPDATE, DELETE }
