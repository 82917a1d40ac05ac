// Editing tools are a registry (the annotorious way): the editor asks the
// registry for every tool by id, the tool bar lists them, shortcuts come from
// the tool. Adding a tool: write a factory returning an EditorTool (see
// stroke.ts for a drag tool, shape.ts for a click-by-click one) and register it
// in createDefaultToolRegistry.
import { createEllipseTool, createPolygonTool } from './shape';
import { createFoveaTool } from './fovea';
import { createStrokeTool } from './stroke';
import type { EditorTool, ToolId } from './types';

export type ToolFactory = () => EditorTool;

export class ToolRegistry {
  readonly #factories = new Map<ToolId, ToolFactory>();

  register(id: ToolId, factory: ToolFactory): this {
    if (this.#factories.has(id)) throw new Error(`tool "${id}" is registered twice`);
    this.#factories.set(id, factory);
    return this;
  }

  ids(): ToolId[] {
    return [...this.#factories.keys()];
  }

  /** A fresh instance of every registered tool (tools keep per-editor state such as polygon vertices). */
  createAll(): Map<ToolId, EditorTool> {
    const tools = new Map<ToolId, EditorTool>();
    for (const [id, factory] of this.#factories) {
      const tool = factory();
      if (tool.id !== id) throw new Error(`tool factory for "${id}" made a "${tool.id}"`);
      tools.set(id, tool);
    }
    return tools;
  }
}

export function createDefaultToolRegistry(): ToolRegistry {
  return new ToolRegistry()
    .register('brush', () => createStrokeTool('paint'))
    .register('eraser', () => createStrokeTool('erase'))
    .register('polygon', createPolygonTool)
    .register('ellipse', createEllipseTool)
    .register('fovea', createFoveaTool);
}
