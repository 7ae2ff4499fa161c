/**
 * Cairn's template engine: Mustache templates whose tag names may be queries
 * ({@code kind:argument?params}, see TEMPLATES.md), rendered without HTML escaping. No network
 * code: results come from a {@link dev.cairn.template.DataSource}.
 *
 * <p>Public surface: {@link dev.cairn.template.TemplateEngine} loads a
 * {@link dev.cairn.template.Template} (errors as {@link dev.cairn.template.TemplateException},
 * {@code FILE:LINE: message}); {@link dev.cairn.template.Template#render} gives a
 * {@link dev.cairn.template.RenderResult} (output, the {@link dev.cairn.template.Query queries}
 * touched, whether it is complete). The records {@link dev.cairn.template.KvEntry},
 * {@link dev.cairn.template.ServiceInstance}, {@link dev.cairn.template.CatalogService},
 * {@link dev.cairn.template.CatalogNode} and {@link dev.cairn.template.NodeDetail} are what a
 * source answers with.
 *
 * <p>Inside: {@code CairnMustacheFactory} configures Mustache.java (no escaping, spec whitespace,
 * partials from disk), {@code CheckingVisitor} validates tags as they are parsed,
 * {@code CairnObjectHandler} resolves names (queries whole, other names by dots through the scope
 * stack, list helpers), {@code RenderContext} holds one render's state and {@code Views} turns
 * answers into sorted, filtered maps.
 */
package dev.cairn.template;
