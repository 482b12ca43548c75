package io.caretaker;
public class Main { public static void main(String[] a) {} }
